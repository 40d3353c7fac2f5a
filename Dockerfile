# ztkeys: one image for every role (api, projector, notifier, worker); ROLES picks the role(s).
# Build: docker build -t ztkeys .   Run: see docker-compose.yml and README (Operators).

ARG NODE_IMAGE=node:20.20-bookworm-slim

# npm 11, as in development: package.json's allowScripts says which install scripts may run.
FROM ${NODE_IMAGE} AS npm11
RUN npm install --global npm@11 --no-fund --no-audit
WORKDIR /app

# better-sqlite3 (the embedded stores) compiles from source when no prebuilt binary fits.
FROM npm11 AS toolchain
RUN apt-get update \
 && apt-get install --yes --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./

FROM toolchain AS build
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY projections ./projections
COPY bench ./bench
COPY console ./console
RUN npm run build

FROM toolchain AS production-dependencies
RUN npm ci --omit=dev --no-fund --no-audit

FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX: glibc's malloc keeps at most 2 arenas for the process's threads instead of up
# to 16 on 2 cores; read by glibc at the process's start, so it is set here (and by `npm start`),
# not by the server itself (README, Operators, Environment, Memory).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# Code and dependencies stay owned by root: the service user can read them, not change them.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only folder the service writes (generated secrets, embedded stores when no server is set).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# --heap-growing-percent=100: V8 lets each thread's old generation grow to twice what a major GC
# left before the next one. Its own factor falls to 1.1 when its concurrent marking looks cheap,
# and an audit export then ran a major GC every ~0.2 s, each freeing 1-2 MB (README, Benchmarks,
# *A heap growing factor for the server*). A V8 flag NODE_OPTIONS refuses, so on the command line
# (as `npm start` does); `WORKERS`' processes inherit it from the primary's.
CMD ["node", "--heap-growing-percent=100", "dist/src/main.js"]
