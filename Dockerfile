# syntax=docker/dockerfile:1
# privatelink-publisher controller image.
#   docker build -t privatelink-publisher:0.1.0 .
# The final image is distroless: Node 24 and the app, no shell, no package manager, user
# nonroot (65532). test/packaging/image.test.ts replays these stages without Docker and runs
# the result, so a missing file here fails a test.

# Build: all dependencies (TypeScript, esbuild, and the `node` package npm scripts run on),
# then type-check and bundle: dist/ holds the whole controller, dependencies included
# (scripts/bundle.ts, docs/adr/0008-bundle-the-controller.md), so no node_modules ships.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.ts ./scripts/bundle.ts
COPY src ./src
RUN npm run build

# Runtime. The base image's entrypoint is node; package.json is needed for "type": "module".
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# Cap V8's young generation (8 MB semi-spaces): on a large node V8 grows it to 128 MB of mostly
# garbage, which was most of the controller's RSS (docs/adr/0005-memory.md). The benchmark
# runs the controller with this same value.
ENV NODE_OPTIONS=--max-semi-space-size=8
# glibc malloc: two arenas, and blocks of 64 KiB and more (socket reads, response bodies) mapped
# on their own and returned when freed instead of fragmenting the heap: ≈ 30 MB less RSS at
# N=300 in the benchmark (docs/adr/0005-memory.md).
ENV MALLOC_ARENA_MAX=2
ENV MALLOC_MMAP_THRESHOLD_=65536
ENV MALLOC_TRIM_THRESHOLD_=131072
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
USER 65532:65532
EXPOSE 8080
CMD ["dist/main.js"]
