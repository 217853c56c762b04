# syntax=docker/dockerfile:1
# One image per app, built from this single file (the apps differ only in name and port):
#   docker build --build-arg APP=ingest-worker --build-arg PORT=9101 -t fluxnotify/ingest-worker .
# compose.yaml passes both for every app.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS base
RUN npm install --global pnpm@10.34.9 turbo@2.11.11 && npm cache clean --force
WORKDIR /repo

# Only this app and the workspace packages it depends on.
FROM base AS prune
ARG APP
COPY . .
RUN test -n "$APP" && turbo prune "@fluxnotify/${APP}" --docker

# Dependencies first (cached until a manifest or the lockfile changes), then sources.
FROM base AS install
COPY --from=prune /repo/out/json/ .
RUN pnpm install --frozen-lockfile
COPY --from=prune /repo/out/full/ .

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG APP
ARG PORT
ENV NODE_ENV=production APP=${APP} HEALTH_URL=http://127.0.0.1:${PORT}/healthz
WORKDIR /app
COPY --from=install --chown=node:node /repo /app
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch(process.env.HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["sh", "-c", "exec node --import tsx apps/${APP}/src/index.ts"]
