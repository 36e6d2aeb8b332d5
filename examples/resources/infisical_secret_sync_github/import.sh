# By sync id:
terraform import infisical_secret_sync_github.example 0d952804-2b9d-4ab0-987d-783b06fb9edc

# By <project_id>/<name>:
terraform import infisical_secret_sync_github.example my-project-id/app-to-repository
