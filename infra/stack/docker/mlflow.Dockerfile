# MLflow tracking server with the same pins as the local stack (infra/stack/versions.ts).
FROM python:3.11-slim-bookworm
ARG MLFLOW_VERSION=3.17.2
ARG PSYCOPG2_BINARY_VERSION=2.9.13
ARG BOTO3_VERSION=1.44.5
RUN pip install --no-cache-dir "mlflow==${MLFLOW_VERSION}" \
  "psycopg2-binary==${PSYCOPG2_BINARY_VERSION}" "boto3==${BOTO3_VERSION}"
ENTRYPOINT ["mlflow"]
