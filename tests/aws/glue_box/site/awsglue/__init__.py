"""The `awsglue` library of a Glue session, as far as the project's statements use it."""
