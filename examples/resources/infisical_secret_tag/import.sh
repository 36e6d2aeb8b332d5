# By <project_id>,<tag_id>, as with the official provider (or <project_id>/<tag_id>):
terraform import infisical_secret_tag.database 09eda1f8-85a3-47a9-8a6f-e27f133b2a36,4d7e2c1a-9b3f-4e5d-8a6c-2f1e0d9c8b7a
