# regie-sim for a hosted workshop: `regie-sim serve` on port 8501, the workshop store on /data.
#
#   docker build -t regie-sim .
#   docker run -d -p 8501:8501 -v regie-data:/data \
#       -e REGIE_SIM_FACILITATOR_SECRET=… -e REGIE_SIM_PUBLIC_URL=https://atelier.example.org/ regie-sim
#
# With HTTPS in front (Caddy): compose.yaml. Step by step: docs/hosting.fr.md, docs/hosting.en.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# a user without a password or a shell: the server never runs as root
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin regie

WORKDIR /app
# the package is installed from the repository in place (-e): the dashboard's entry app.py, its
# pages and the built-in scenarios are found beside the package, as in a checkout
COPY pyproject.toml README.md app.py ./
COPY .streamlit/config.toml ./.streamlit/config.toml
COPY sim ./sim
COPY scenarios ./scenarios
COPY docs ./docs
RUN pip install -e . \
    && mkdir /data \
    && chown regie:regie /data

USER regie
# the workshop store (workshop.sqlite3): sessions, participants, votes, the cahier
VOLUME ["/data"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# serve passes `docker stop` on to Streamlit and deletes workshops older than REGIE_SIM_KEEP_DAYS
CMD ["regie-sim", "serve", "--host", "0.0.0.0", "--port", "8501", "--data", "/data"]
