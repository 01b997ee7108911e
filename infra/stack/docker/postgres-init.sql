-- The registry database (POSTGRES_DB) exists already; MLflow keeps its backend store beside it,
-- as in the local stack. Temporal's auto-setup creates its own two databases.
CREATE DATABASE mlflow;
