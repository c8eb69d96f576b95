# syntax=docker/dockerfile:1
# Image of @dispatch/identity. Build from the repository root (the build context is the whole monorepo):
#   docker build -f infra/docker/identity.Dockerfile -t dispatch-auth/identity:dev .
# Stages: manifests → build (all deps, turbo build) and deps (production deps only) → runtime.
ARG NODE_IMAGE=node:20-bookworm-slim

# npm manifests only, so the install layers below stay cached until a package.json or the lockfile changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN node infra/docker/manifests.mjs /manifests

# Every workspace's dependencies (dev included), then @dispatch/identity and the workspaces it uses;
# collect-dist.mjs gathers the dist folders of its production workspace dependencies into /dist.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
COPY --from=manifests /manifests/full/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npx turbo run build --filter=@dispatch/identity... --output-logs=errors-only \
 && node infra/docker/collect-dist.mjs @dispatch/identity /dist

# Production dependencies of @dispatch/identity only (the same lockfile; no devDependencies anywhere).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/prod/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace @dispatch/identity --include-workspace-root=false --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# Files stay owned by root: the service (uid 1000, "node") can read them, not change them.
COPY --from=deps /app/ ./
COPY --from=build /dist/ ./
USER 1000:1000
ENV OPS_PORT=9464
# The ops port (OPS_PORT) serves GET /healthz (alive), /readyz (NATS and its store connected; 503 while
# starting or draining) and /metrics (Prometheus). Healthy = ready, so compose's depends_on waits for it.
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9464)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "services/identity/dist/main.js"]
