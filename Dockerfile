# syntax=docker/dockerfile:1
# One image per app, built from this single file (the apps differ only in name and port):
#   docker build --build-arg APP=ingest-worker --build-arg PORT=9101 -t fluxnotify/ingest-worker .
#   docker build --build-arg APP=console --build-arg PORT=8082 -t fluxnotify/console .
# and the one-shot setup image (migrations, then topics) from the same build stages:
#   docker build --target setup --build-arg APP=db -t fluxnotify/setup .
# and the demo (compose's `demo` profile):
#   docker build --target demo --build-arg APP=demo -t fluxnotify/demo .
# compose.yaml passes them for every service.
#
# Every app ships as one esbuild bundle (docs/adr/0004-bundled-apps.md): the runtime images
# hold Node and the app's dist/: the bundle, its source map and the files it serves as they are
# (the APIs' Swagger UI, for /docs; the console's built web app, dist/public). No node_modules,
# no TypeScript, no package manager.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS base
RUN npm install --global pnpm@10.34.9 turbo@2.11.11 && npm cache clean --force
WORKDIR /repo

# Only this package and the workspace packages it depends on (packages/build, the bundler, too).
FROM base AS prune
ARG APP
COPY . .
RUN test -n "$APP" && turbo prune "@fluxnotify/${APP}" --docker

# Dependencies first (cached until a manifest or the lockfile changes), then sources, then the
# package's `build` (and its workspace dependencies' builds, turbo's ^build).
FROM base AS build
ARG APP
COPY --from=prune /repo/out/json/ .
# pnpm applies patches/ (patchedDependencies in pnpm-workspace.yaml) at install time.
COPY --from=prune /repo/patches/ ./patches/
RUN pnpm install --frozen-lockfile
COPY --from=prune /repo/out/full/ .
RUN turbo run build --filter="@fluxnotify/${APP}" --output-logs=errors-only

# What every runtime image starts from. The code stays owned by root: the app's user can read
# it, not change it.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime-base
ENV NODE_ENV=production
WORKDIR /app
USER node

# compose's one-shot `setup` service (APP=db): applies the migrations, then creates every topic.
FROM runtime-base AS setup
COPY --from=build /repo/packages/db/dist/migrate.js /repo/packages/db/dist/migrate.js.map ./dist/
COPY --from=build /repo/packages/shared/dist/create-topics.js /repo/packages/shared/dist/create-topics.js.map ./dist/
# migrate.js reads ../drizzle, the same place packages/db/src/migrate.ts reads from.
COPY --from=build /repo/packages/db/drizzle/ ./drizzle/
CMD ["sh", "-c", "node --enable-source-maps dist/migrate.js && exec node --enable-source-maps dist/create-topics.js"]

# compose's one-shot `demo` service (APP=demo): bin/demo's script, bundled (packages/demo).
FROM runtime-base AS demo
COPY --from=build /repo/packages/demo/dist/ ./dist/
CMD ["node", "dist/demo.js"]

# An app (the default target).
FROM runtime-base AS runtime
ARG APP
ARG PORT
ENV APP=${APP} HEALTH_URL=http://127.0.0.1:${PORT}/healthz
# dist/ whole, as packages/platform/test/bundles.test.ts copies it: the bundle finds the files
# of its file imports beside itself.
COPY --from=build /repo/apps/${APP}/dist/ ./dist/
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch(process.env.HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# No --enable-source-maps: Node would decode the whole map the first time it formats a stack
# (+60–110 MiB per app, ADR 0004). The map is here for when it is wanted:
# NODE_OPTIONS=--enable-source-maps.
CMD ["node", "dist/index.js"]
