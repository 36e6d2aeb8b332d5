# By project id, as with the official provider:
terraform import infisical_project.payments 09eda1f8-85a3-47a9-8a6f-e27f133b2a36
