# By <project_id>/<identity_id>:
terraform import infisical_project_identity.ci 09eda1f8-85a3-47a9-8a6f-e27f133b2a36/8b0c2d4e-1f3a-4b5c-9d6e-7f8a9b0c1d2e
