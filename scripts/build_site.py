"""Build the browser site (``make site``): the lab's guests and emulator, their saved state, JupyterLite.

What it makes, in ``build/site`` (served as it is: ``python -m http.server --bind 127.0.0.1 -d build/site``):

- ``bondlab/``: v86 from npm (``site/package-lock.json``, ``npm ci``) with the change in
  ``site/v86-two-nics.json`` applied (two virtio NICs per machine); Debian's SeaBIOS images; the lab's
  JavaScript (``site/lab``); one saved machine state (zstd) that every guest of a page restores; and
  ``lab.json``, the tutorial's hosts, NIC names and MAC addresses.
- ``pyodide/``: npm's Pyodide with the wheels its kernel loads (``build_pyodide``), and JupyterLite's
  apps around the kit's notebooks and the browser lab's own (``site/notebooks``), every page of them
  loading ``bondlab/visibility.js``.
- The guest behind that state: Debian bookworm's i386 kernel (``linux-image-686``) and
  ``busybox-static``, fetched with ``apt-get download`` through a private apt configuration of
  architecture i386 (the machine's own sources and keys; nothing of its apt or dpkg set-up changes,
  no root needed) and unpacked with ``dpkg-deb -x``; an initramfs packed here (busybox, the bonding
  and virtio modules with their dependencies, ``site/guest/init``). The build boots it once in Node,
  headless, and saves the state at the guest's console loop.

Everything between lives in ``build/site-work``; steps whose inputs did not change are not done again.
Errors say what failed and where, and exit 2.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_SRC = ROOT / "site"
BUILD = ROOT / "build"
WORK = BUILD / "site-work"
OUT = BUILD / "site"

#: What the guest's initramfs loads (their dependencies come along, from the kernel's modules.dep).
MODULES = ("bonding", "virtio_pci", "virtio_net")
#: The guest's memory. v86 puts the initramfs at 64 MB, so a guest needs more; every MB of it is in the
#: saved state (zeroed pages compress to nothing: the kernel zeroes what it frees, init_on_free=1).
MEMORY_MB = 80
CMDLINE = "console=ttyS0 quiet init_on_free=1 mitigations=off"
#: Debian's SeaBIOS (package seabios, architecture all): the 128 KiB BIOS and the Bochs VGA BIOS.
BIOS = ("usr/share/seabios/bios.bin", "usr/share/seabios/vgabios-stdvga.bin")
HOSTS = ("client", "server")
DATA_NICS = ("enp0s8", "enp0s9")


class BuildError(Exception):
    """A step that failed: what, and the tail of what the program said."""


STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"build_site: [{time.monotonic() - STARTED:5.1f} s] {text}", flush=True)


def run(command: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    if shutil.which(command[0]) is None:
        raise BuildError(f"{what}: {command[0]} not found")
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()[-800:]
        raise BuildError(f"{what} failed ({result.returncode}): {said}")
    return result.stdout


def digest(*parts: bytes | str | Path) -> str:
    sha = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            sha.update(part.read_bytes())
        else:
            sha.update(part.encode() if isinstance(part, str) else part)
    return sha.hexdigest()


def fresh(stamp: Path, key: str) -> bool:
    """Whether the step that wrote ``stamp`` ran on the same inputs (``key``) already."""
    return stamp.is_file() and stamp.read_text() == key


# ---- v86 from npm, patched --------------------------------------------------------------------------

def install_npm() -> Path:
    """``npm ci`` of site/package-lock.json in the work folder; returns its node_modules."""
    folder = WORK / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    lock = SITE_SRC / "package-lock.json"
    stamp = folder / "node_modules" / ".bondkit-installed"
    key = digest(SITE_SRC / "package.json", lock)
    if not fresh(stamp, key):
        say("npm ci (v86, pyodide)")
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(SITE_SRC / name, folder / name)
        run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], "npm ci",
            cwd=folder)
        stamp.write_text(key)
    return folder / "node_modules"


def patched_v86(node_modules: Path) -> str:
    """libv86.mjs with every substitution of site/v86-two-nics.json, each found exactly once (a v86 that
    changed under the patch stops the build rather than half-apply it)."""
    patch = json.loads((SITE_SRC / "v86-two-nics.json").read_text())
    package = json.loads((node_modules / "v86" / "package.json").read_text())
    if package["version"].split("+")[0] != patch["version"]:
        raise BuildError(f"site/v86-two-nics.json is for v86 {patch['version']}, "
                         f"npm installed {package['version']}")
    text = (node_modules / "v86" / patch["file"]).read_text()
    for number, change in enumerate(patch["substitutions"], 1):
        found = text.count(change["old"])
        if found != 1:
            raise BuildError(f"site/v86-two-nics.json: substitution {number} found {found} times "
                             f"in {patch['file']}")
        text = text.replace(change["old"], change["new"])
    return text


# ---- Debian's i386 packages ---------------------------------------------------------------------

def apt_config(folder: Path) -> Path:
    """A private apt configuration of architecture i386: its own lists and cache in ``folder``, no
    dpkg status, downloads made as the user who runs the build."""
    state, cache = folder / "state", folder / "cache"
    for sub in (state / "lists" / "partial", cache / "archives" / "partial"):
        sub.mkdir(parents=True, exist_ok=True)
    user = pwd.getpwuid(os.getuid()).pw_name
    config = folder / "apt.conf"
    config.write_text(
        'APT::Architecture "i386";\nAPT::Architectures { "i386"; };\n'
        f'Dir::State "{state}";\nDir::State::status "/dev/null";\nDir::Cache "{cache}";\n'
        f'Debug::NoLocking "1";\nAPT::Sandbox::User "{user}";\n')
    return config


def fetch_guest_packages() -> Path:
    """The kernel, busybox and SeaBIOS packages, unpacked into one tree; returns it."""
    tree = WORK / "root"
    stamp = WORK / "root.done"
    if stamp.is_file() and tree.is_dir():
        return tree
    apt = WORK / "apt"
    env = {"APT_CONFIG": str(apt_config(apt))}
    say("apt-get update (i386, private state)")
    run(["apt-get", "-q", "update"], "apt-get update (i386)", env=env)
    depends = run(["apt-cache", "depends", "linux-image-686"], "apt-cache depends linux-image-686", env=env)
    kernel = next((line.split(":", 1)[1].strip() for line in depends.splitlines()
                   if line.strip().startswith("Depends:") and "linux-image-" in line), None)
    if kernel is None:
        raise BuildError("apt-cache depends linux-image-686: no versioned kernel package")
    debs = WORK / "debs"
    shutil.rmtree(debs, ignore_errors=True)
    debs.mkdir(parents=True)
    say(f"apt-get download {kernel} busybox-static seabios")
    run(["apt-get", "-q", "download", kernel, "busybox-static", "seabios"], "apt-get download", cwd=debs,
        env=env)
    shutil.rmtree(tree, ignore_errors=True)
    for deb in sorted(debs.glob("*.deb")):
        run(["dpkg-deb", "-x", str(deb), str(tree)], f"dpkg-deb -x {deb.name}")
    stamp.write_text("\n".join(deb.name for deb in sorted(debs.glob("*.deb"))) + "\n")
    return tree


# ---- the initramfs --------------------------------------------------------------------------------

class Cpio:
    """An initramfs archive in the kernel's "newc" cpio format, written in memory: entries need no
    files of their own on disk (the device node /dev/console is only a header), so no root is needed."""

    def __init__(self) -> None:
        self.data = io.BytesIO()
        self.inode = 1

    def _entry(self, name: str, mode: int, body: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> None:
        encoded = name.encode() + b"\0"
        fields = (self.inode, mode, 0, 0, 1, 0, len(body), 0, 0, rdev[0], rdev[1], len(encoded), 0)
        self.inode += 1
        self.data.write(b"070701" + b"".join(b"%08x" % value for value in fields) + encoded)
        self.data.write(b"\0" * (-(110 + len(encoded)) % 4))
        self.data.write(body + b"\0" * (-len(body) % 4))

    def folder(self, name: str) -> None:
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name: str, body: bytes, mode: int = 0o644) -> None:
        self._entry(name, stat.S_IFREG | mode, body)

    def link(self, name: str, target: str) -> None:
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def char_device(self, name: str, major: int, minor: int) -> None:
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return self.data.getvalue()


def module_closure(modules_dir: Path, wanted: tuple[str, ...]) -> list[str]:
    """The module files (paths relative to ``modules_dir``) that ``wanted`` need, from modules.dep."""
    deps: dict[str, list[str]] = {}
    for line in (modules_dir / "modules.dep").read_text().splitlines():
        path, _, rest = line.partition(":")
        deps[path] = rest.split()
    by_name = {Path(path).name.split(".ko")[0].replace("-", "_"): path for path in deps}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise BuildError(f"{modules_dir}: no module {', '.join(missing)}")
    taken: list[str] = []
    pending = [by_name[name] for name in wanted]
    while pending:
        path = pending.pop()
        if path not in taken:
            taken.append(path)
            pending.extend(deps[path])
    return sorted(taken)


def build_initramfs(tree: Path) -> tuple[Path, Path]:
    """(kernel image, gzip initramfs) of the guest, in WORK/lab."""
    images = sorted(tree.glob("boot/vmlinuz-*"))
    if not images:
        raise BuildError(f"{tree}/boot: no vmlinuz in the kernel package")
    release = images[-1].name.removeprefix("vmlinuz-")
    modules_dir = tree / "lib" / "modules" / release
    if not (modules_dir / "modules.dep").is_file():
        run(["depmod", "-b", str(tree), release], "depmod")
    modules = module_closure(modules_dir, MODULES)
    archive = Cpio()
    for folder in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "tmp", "run",
                   "root", "lib", "lib/modules", f"lib/modules/{release}"):
        archive.folder(folder)
    archive.char_device("dev/console", 5, 1)
    archive.file("bin/busybox", (tree / "bin" / "busybox").read_bytes(), 0o755)
    archive.link("bin/sh", "busybox")
    archive.file("init", (SITE_SRC / "guest" / "init").read_bytes(), 0o755)
    archive.file("etc/console.sh", (SITE_SRC / "guest" / "console.sh").read_bytes(), 0o755)
    made: set[str] = {f"lib/modules/{release}"}
    for module in modules:
        parts = Path(module).parts
        for depth in range(1, len(parts)):
            folder = f"lib/modules/{release}/" + "/".join(parts[:depth])
            if folder not in made:
                archive.folder(folder)
                made.add(folder)
        archive.file(f"lib/modules/{release}/{module}", (modules_dir / module).read_bytes())
    dep_lines = [line for line in (modules_dir / "modules.dep").read_text().splitlines()
                 if line.partition(":")[0] in modules]
    archive.file(f"lib/modules/{release}/modules.dep", ("\n".join(dep_lines) + "\n").encode())
    lab = WORK / "lab"
    lab.mkdir(parents=True, exist_ok=True)
    initrd = lab / "initrd.gz"
    initrd.write_bytes(gzip.compress(archive.finish(), compresslevel=9, mtime=0))
    kernel = lab / "vmlinuz"
    shutil.copyfile(images[-1], kernel)
    return kernel, initrd


# ---- the lab folder and its saved state --------------------------------------------------------------

def manifest(files: dict[str, str]) -> dict:
    """lab.json: the tutorial's hosts and their data NICs with the MAC addresses the native lab gives them."""
    sys.path.insert(0, str(ROOT))
    from bondkit.lab.topology import tutorial_topology

    topology = tutorial_topology(HOSTS, DATA_NICS)
    return {
        "memory_mb": MEMORY_MB,
        "cmdline": CMDLINE,
        "switch": "learning",
        "hosts": [{"name": host.name, "nics": [{"name": nic.name, "mac": nic.mac} for nic in host.data]}
                  for host in topology.hosts],
        "files": files,
    }


def build_lab(node_modules: Path, tree: Path) -> Path:
    """WORK/lab (every file, the boot files too) and OUT/lab (what a page needs)."""
    kernel, initrd = build_initramfs(tree)
    lab = WORK / "lab"
    (lab / "libv86.mjs").write_text(patched_v86(node_modules))
    shutil.copyfile(node_modules / "v86" / "build" / "v86.wasm", lab / "v86.wasm")
    shutil.copyfile(tree / BIOS[0], lab / "bios.bin")
    shutil.copyfile(tree / BIOS[1], lab / "vgabios.bin")
    files = {"emulator": "libv86.mjs", "wasm": "v86.wasm", "bios": "bios.bin", "vgabios": "vgabios.bin",
             "kernel": kernel.name, "initrd": initrd.name, "state": "state.bin.zst"}
    (lab / "lab.json").write_text(json.dumps(manifest(files), indent=1) + "\n")
    for script in sorted((SITE_SRC / "lab").glob("*.mjs")):
        shutil.copyfile(script, lab / script.name)
    # What the saved state depends on: the guest, the emulator and the code that boots and saves it.
    key = digest(kernel, initrd, lab / "libv86.mjs", lab / "v86.wasm", lab / "bios.bin", lab / "vgabios.bin",
                 CMDLINE, str(MEMORY_MB), SITE_SRC / "lab" / "guest.mjs", SITE_SRC / "lab" / "console.mjs",
                 SITE_SRC / "tools" / "make-state.mjs")
    stamp = WORK / "state.done"
    if not fresh(stamp, key) or not (lab / "state.bin.zst").is_file():
        say("booting the guest once in Node to save its state")
        begun = time.monotonic()
        report = run(["node", str(SITE_SRC / "tools" / "make-state.mjs"), str(lab), str(lab / "state.bin")],
                     "make-state.mjs")
        say(f"state saved in {time.monotonic() - begun:.1f} s: {report.strip()}")
        compress_state(lab / "state.bin", lab / "state.bin.zst")
        (lab / "state.bin").unlink()
        stamp.write_text(key)
    target = OUT / "bondlab"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("libv86.mjs", "v86.wasm", "bios.bin", "vgabios.bin", "lab.json", "state.bin.zst",
                 *(script.name for script in (SITE_SRC / "lab").glob("*.mjs"))):
        shutil.copyfile(lab / name, target / name)
    shutil.copyfile(SITE_SRC / "lab" / VISIBILITY, target / VISIBILITY)
    return target


#: The script every page of the site loads so that the labs pause while no page is in sight.
VISIBILITY = "visibility.js"


def add_visibility_script() -> list[Path]:
    """JupyterLite's pages (lab, notebooks, tree, ...) load site/lab/visibility.js; returns them."""
    pages = []
    for page in sorted(OUT.glob("*/index.html")):
        if page.parent.name in ("bondlab", "pyodide"):
            continue
        text = page.read_text()
        tag = f'<script src="../bondlab/{VISIBILITY}"></script>'
        if tag not in text:
            if "</head>" not in text:
                raise BuildError(f"{page}: no </head> to add {VISIBILITY} before")
            page.write_text(text.replace("</head>", f"  {tag}\n</head>", 1))
        pages.append(page)
    return pages


def compress_state(raw: Path, packed: Path) -> None:
    """zstd at level 19: v86 unpacks a state whose name ends in .zst itself."""
    import zstandard

    packed.write_bytes(zstandard.ZstdCompressor(level=19).compress(raw.read_bytes()))


# ---- Pyodide, self-hosted ------------------------------------------------------------------------------

#: What the Pyodide kernel loads at its start (with their dependencies in pyodide-lock.json).
KERNEL_PACKAGES = ("micropip", "ipython", "jedi")
#: The npm package's own files that a page loads (maps, type files and demo pages stay out).
PYODIDE_CORE = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                "package.json")
#: The kit's dependencies that Pyodide builds for WebAssembly: their wheels exist only on Pyodide's own
#: download site, not on PyPI or npm, so the site cannot ship them (the build says so).
KIT_WANTS = ("numpy", "pandas", "matplotlib")
#: A kernel package that pyodide-lock.json does not list: piplite installs it from the site's index.
PIPLITE_WHEELS = ("comm==0.2.3",)
#: PyYAML's pure-Python half (bondkit's message catalogs are YAML); its version is pyodide-lock.json's.
PYYAML = "pyyaml"


def lock_closure(packages: dict, roots: tuple[str, ...]) -> list[str]:
    """The lock's names of ``roots`` and everything they depend on, by the lock's own depends."""
    index = {name.lower().replace("_", "-"): name for name in packages}
    taken: list[str] = []
    pending = list(roots)
    while pending:
        name = index.get(pending.pop().lower().replace("_", "-"))
        if name is None or name in taken:
            continue
        taken.append(name)
        pending.extend(packages[name]["depends"])
    return sorted(taken)


def pip_download(requirements: list[str], into: Path, *, python: str, binary: bool = True) -> None:
    into.mkdir(parents=True, exist_ok=True)
    only = ["--only-binary=:all:", "--python-version", python] if binary else ["--no-binary=:all:"]
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", *only, "-d", str(into), *requirements],
        "pip download " + " ".join(requirements))


def wheel_name(name: str) -> str:
    return name.lower().replace("-", "_")


def pure_wheel(source: Path, package: str, project: str, version: str, into: Path) -> Path:
    """A py3-none-any wheel of the pure-Python package folder ``source`` (for PyYAML, whose only wheels
    are built for machines: its Python half works alone, without the optional C speed-up)."""
    import base64
    import zipfile

    dist_info = f"{wheel_name(project)}-{version}.dist-info"
    target = into / f"{wheel_name(project)}-{version}-py3-none-any.whl"
    records: list[str] = []

    def add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        sha = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        records.append(f"{name},sha256={sha},{len(data)}")

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(source.rglob("*.py")):
            add(archive, f"{package}/{file.relative_to(source).as_posix()}", file.read_bytes())
        add(archive, f"{dist_info}/METADATA",
            f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n".encode())
        add(archive, f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: bondkit build_site\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        records.append(f"{dist_info}/RECORD,,")
        archive.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=(1980, 1, 1, 0, 0, 0)),
                         "\n".join(records) + "\n")
    return target


def lock_entry(wheel: Path, name: str, version: str, imports: list[str], depends: list[str]) -> dict:
    return {"name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
            "package_type": "package", "imports": imports, "depends": depends,
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "unvendored_tests": False, "tool": {}}


def kernel_wheels(packages: dict) -> list[str]:
    """The lock's names of the pure-Python wheels the kernel loads at its start."""
    return [name for name in lock_closure(packages, KERNEL_PACKAGES)
            if packages[name]["file_name"].endswith("-none-any.whl")]


def download_wheels(node_modules: Path) -> Path:
    """WORK/wheels: the kernel's pure-Python wheels at the lock's versions, piplite's (which
    ``jupyter lite build`` puts in the site's index, so it runs before that) and PyYAML's source."""
    lock = json.loads((node_modules / "pyodide" / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    python = ".".join(lock["info"]["python"].split(".")[:2])
    wheels = WORK / "wheels"
    pure = kernel_wheels(packages)
    key = digest(json.dumps([f"{name}=={packages[name]['version']}" for name in pure]),
                 python, *PIPLITE_WHEELS)
    if not fresh(wheels / ".bondkit-downloaded", key):
        shutil.rmtree(wheels, ignore_errors=True)
        say(f"pip download (Python {python}): " + " ".join(pure))
        pip_download([f"{packages[name]['name']}=={packages[name]['version']}" for name in pure], wheels,
                     python=python)
        pip_download(list(PIPLITE_WHEELS), wheels / "piplite", python=python)
        pip_download([f"{PYYAML}=={packages[PYYAML]['version']}"], wheels / "sdist", python=python,
                     binary=False)
        (wheels / ".bondkit-downloaded").write_text(key)
    return wheels


def build_pyodide(node_modules: Path) -> tuple[Path, list[str]]:
    """OUT/pyodide: the npm package's core, the wheels the kernel loads at start, PyYAML's pure half and
    bondkit itself, with a pyodide-lock.json that lists exactly those (each wheel's own sha256: the
    lock's are those of Pyodide's rebuilt wheels, which are not on PyPI). Returns the folder and the
    kit's dependencies that Pyodide has but the site cannot ship (:data:`KIT_WANTS`)."""
    source = node_modules / "pyodide"
    lock = json.loads((source / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    wheels = WORK / "wheels"
    pure = kernel_wheels(packages)
    target = OUT / "pyodide"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copyfile(source / name, target / name)
    shipped: dict[str, dict] = {}
    by_project = {wheel.name.split("-")[0].lower(): wheel for wheel in wheels.glob("*.whl")}
    for name in pure:
        wheel = by_project.get(wheel_name(packages[name]["name"]))
        if wheel is None:
            raise BuildError(f"pip download: no wheel of {name} in {wheels}")
        shutil.copyfile(wheel, target / wheel.name)
        entry = dict(packages[name])
        entry.update(file_name=wheel.name, sha256=hashlib.sha256(wheel.read_bytes()).hexdigest())
        shipped[name] = entry
    yaml_version = packages[PYYAML]["version"]
    sdists = sorted((wheels / "sdist").glob("*.tar.gz"))
    if not sdists:
        raise BuildError(f"pip download: no source of {PYYAML} in {wheels / 'sdist'}")
    unpacked = WORK / "pyyaml-src"
    shutil.rmtree(unpacked, ignore_errors=True)
    shutil.unpack_archive(sdists[0], unpacked)
    yaml_source = next(unpacked.glob("*/lib/yaml"), None)
    if yaml_source is None:
        raise BuildError(f"{sdists[0]}: no lib/yaml folder")
    yaml_wheel = pure_wheel(yaml_source, "yaml", "PyYAML", yaml_version, target)
    shipped[PYYAML] = lock_entry(yaml_wheel, PYYAML, yaml_version, ["yaml"], [])
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
         str(ROOT)], "pip wheel bondkit")
    bondkit_wheel = max(wheels.glob("bondkit-*.whl"), key=lambda path: path.stat().st_mtime)
    shutil.copyfile(bondkit_wheel, target / bondkit_wheel.name)
    shipped["bondkit"] = lock_entry(target / bondkit_wheel.name, "bondkit", "0.1.0", ["bondkit"], [PYYAML])
    lock["packages"] = shipped
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    return target, [name for name in KIT_WANTS if name in packages and name not in shipped]


# ---- JupyterLite --------------------------------------------------------------------------------------

def notebooks() -> Path:
    """The contents: the kit's notebooks of both languages, and the browser lab's own, split from its one
    bilingual source the way ``build_notebooks.py`` splits the kit's (shared code, markdown per language)."""
    import nbformat

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build_notebooks import read_source, split

    source = read_source(SITE_SRC / "notebooks" / "browser_lab.py")
    contents = WORK / "contents"
    shutil.rmtree(contents, ignore_errors=True)
    for lang in ("en", "ko"):
        folder = contents / lang
        folder.mkdir(parents=True)
        for notebook in sorted((ROOT / "notebooks" / lang).glob("*.ipynb")):
            shutil.copyfile(notebook, folder / notebook.name)
        nb = split(source, lang, "browser_lab.py")
        nb.metadata["kernelspec"] = source.metadata["kernelspec"]  # the site's Pyodide kernel
        nb.metadata.pop("language_info", None)
        nb.metadata["bondkit"]["source"] = "site/notebooks/browser_lab.py"
        nbformat.write(nb, folder / "browser_lab.ipynb")
    return contents


#: JupyterLite's apps the site offers: JupyterLab, the one-notebook view and its file list (what a
#: course page links to); the others (REPL, consoles, text editor) would only add to the download.
LITE_APPS = ("lab", "notebooks", "tree")


#: The JupyterLab extensions the site ships: the Pyodide kernel, widgets, code colours and the notebook
#: app's links. Others installed beside the kit (nbgrader's course tools, jupytext's pairing menus) are
#: for a teacher's machine and would only add to the download and to the page's start.
LITE_EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager",
                   "jupyterlab_pygments", "@jupyter-notebook/lab-extension")


def build_lite(contents: Path) -> None:
    """``jupyter lite build`` of the contents into OUT, with the kernel pointed at OUT/pyodide."""
    comm = sorted((WORK / "wheels" / "piplite").glob("*.whl"))
    if len(comm) != len(PIPLITE_WHEELS):  # without them the kernel cannot start in the page
        raise BuildError(f"{WORK / 'wheels' / 'piplite'}: expected wheels of {', '.join(PIPLITE_WHEELS)}")
    # A build from scratch each time: JupyterLite's task database would skip merging the settings
    # (site/lite/jupyter-lite.json) into an output folder made anew.
    shutil.rmtree(OUT, ignore_errors=True)
    (WORK / ".jupyterlite.doit.db").unlink(missing_ok=True)
    say("jupyter lite build")
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    missing = [name for name in LITE_EXTENSIONS if not (labextensions / name / "package.json").is_file()]
    if missing:
        raise BuildError(f"{labextensions}: no {', '.join(missing)} (make setup installs them)")
    config = WORK / "jupyter_lite_config.json"  # a file: the command line cannot give a tuple of addons
    config.write_text(json.dumps({"LiteBuildConfig": {
        "ignore_sys_prefix": ["federated_extensions"],
        "federated_extensions": [str(labextensions / name) for name in LITE_EXTENSIONS]}}, indent=1))
    run([jupyter, "lite", "build", "--lite-dir", str(SITE_SRC / "lite"), "--output-dir", str(OUT),
         "--contents", str(contents), "--no-sourcemaps",
         *[option for app in LITE_APPS for option in ("--apps", app)],
         "--config", str(config),
         *[option for wheel in comm for option in ("--piplite-wheels", str(wheel))]],
        "jupyter lite build", cwd=WORK)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the browser site into build/site.")
    parser.parse_args(argv)
    try:
        node_modules = install_npm()
        tree = fetch_guest_packages()
        download_wheels(node_modules)
        build_lite(notebooks())
        pyodide, left_out = build_pyodide(node_modules)
        say(f"pyodide: {pyodide} (not shipped, built for WebAssembly by Pyodide only: {', '.join(left_out)})")
        lab = build_lab(node_modules, tree)
        pages = add_visibility_script()
        say(f"lab: {lab} (its guests pause while no page is in sight: {len(pages)} pages tell them)")
    except BuildError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
