# Images for a cluster: `--target server` is what a CoBrowseCluster's pods run (the operator
# passes `--config FILE`); `--target operator` is what the Helm chart runs. Both run as a
# non-root user and work with a read-only root filesystem (state lives in mounted volumes).
#   docker build --target server -t tandem:0.1.0 .
#   docker build --target operator -t tandem-operator:0.1.0 .
# (No Docker engine runs on the development machines; this file is not built by `make test`.)

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY operator/package.json operator/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY server server
COPY operator operator
RUN npm run build \
  && npx esbuild operator/src/main.ts --bundle --platform=node --format=esm --packages=external \
       --outfile=operator/dist/main.js

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY operator/package.json operator/

FROM runtime AS server
RUN npm ci --omit=dev --workspace server --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/server/dist server/dist
USER 10001:10001
EXPOSE 8443 9464
ENTRYPOINT ["node", "server/dist/main.js"]

FROM runtime AS operator
RUN npm ci --omit=dev --workspace operator --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/operator/dist operator/dist
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "operator/dist/main.js"]
