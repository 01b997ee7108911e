# The TypeScript app (web, workers, migrations): run through tsx, no build step.
FROM node:20-bookworm
ENV ONNXRUNTIME_NODE_INSTALL=skip AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash infra/prisma-generate.sh
ENTRYPOINT ["npx", "--no-install"]
