# Panelist: one image, three roles. Run it as `portal`, `bot` or `worker` (or `all`), e.g.
#   docker run --env-file .env panelist portal
# See docs/deploy.md. Node 20.19+ (ESM, built-in fetch, process.loadEnvFile).
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/panelist

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. `postinstall` generates the Prisma
# client from the schema, so the schema has to be there before `npm ci`.
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src

RUN mkdir -p /var/lib/panelist && chown node:node /var/lib/panelist
USER node

EXPOSE 3000
# Liveness; readiness (database, Redis, SMTP) is GET /readyz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# tsx runs the TypeScript sources directly (it is a runtime dependency), loaded into the app's own
# process: `docker stop` sends SIGTERM to PID 1, and only the app itself stops cleanly and exits 0
# (124 when forced; docs/deploy.md). Through `npx tsx` the signal killed npx alone and the app
# never heard it (the grace period ran out and Docker killed it: exit 137).
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD ["all"]
