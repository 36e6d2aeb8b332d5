# By environment id, as with the official provider:
terraform import infisical_project_environment.qa 6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f

# By <project_id>/<environment_id>:
terraform import infisical_project_environment.qa my-project-id/6f0c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f
