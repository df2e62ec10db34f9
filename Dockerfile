FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
# node itself is PID 1 (npx or the tsx CLI in between exited on SIGTERM and left the server
# orphaned, or killed it mid-request): SIGTERM reaches the server, which drains and exits 0
# within 30 s (give `docker stop -t` / stop_grace_period / terminationGracePeriodSeconds > 30 s).
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/server.ts"]
