# By secret id, as with the official provider:
terraform import infisical_secret.log_level 3c9a5f0e-2b1d-4f6a-8e7c-1a2b3c4d5e6f

# By <project_id>:<env_slug>:<folder_path>:<name>:
terraform import infisical_secret.log_level 09eda1f8-85a3-47a9-8a6f-e27f133b2a36:prod:/api:LOG_LEVEL

# Either form with "write-only:" first keeps the value out of the state (value_wo_version = 1):
terraform import infisical_secret.database_url write-only:3c9a5f0e-2b1d-4f6a-8e7c-1a2b3c4d5e6f
