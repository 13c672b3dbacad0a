# bondkit in a container: JupyterLab with the live lab, run as an ordinary user under the runtime's
# default seccomp profile (no --privileged, no capabilities, no devices). For a student on macOS or
# Windows (Docker Desktop, Podman, WSL2), in a Codespace, or as the image of a class's JupyterHub.
#
#   docker build -t bondkit .
#   docker run --rm -p 127.0.0.1:8888:8888 bondkit        # then open the URL it prints
#
# The same file builds for linux/amd64 and linux/arm64 (Apple Silicon, arm64 servers): set-up installs
# the QEMU and fetches the guest kernel of the architecture it runs on, so the lab's guests run natively
# either way.   docker buildx build --platform linux/amd64,linux/arm64 -t bondkit .
#
# JupyterLab listens inside the container (its own network), published on the host's loopback only.
# The image ships under the licences listed in /opt/bondkit/LICENSES-THIRD-PARTY.txt (bondkit itself:
# MIT, see LICENSE). For a class's image, pin the base by digest as well
# (FROM debian:bookworm-slim@sha256:..., the digest `docker buildx imagetools inspect` shows).
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends make python3 python3-venv ca-certificates git nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/bondkit
COPY . .
# The project's own set-up: system packages, .venv, the lab guests' root image (shared by every user),
# with every Python package at the version the kit was tested with; then the list of what it ships.
RUN PIP_CONSTRAINT=/opt/bondkit/deploy/constraints.txt bash scripts/setup.sh \
 && rm -rf /var/lib/apt/lists/* /root/.cache \
 && .venv/bin/python deploy/licences.py LICENSES-THIRD-PARTY.txt

# The student: an ordinary account that owns only its home (its copy of the notebooks, its labs).
RUN useradd --create-home --uid 1000 --shell /bin/bash student \
 && cp -r notebooks /home/student/notebooks && chown -R student:student /home/student
USER student
WORKDIR /home/student
ENV PATH=/opt/bondkit/.venv/bin:$PATH
EXPOSE 8888
# With the project's JupyterLab settings (as `make lab`): widget state saved with the notebook, so a saved
# notebook reopens with its widgets; no news fetched.
CMD ["jupyter", "lab", "--ServerApp.ip=0.0.0.0", "--ServerApp.port=8888", "--no-browser", \
     "--ServerApp.root_dir=/home/student/notebooks", \
     "--LabApp.app_settings_dir=/opt/bondkit/scripts/jupyterlab-settings"]
