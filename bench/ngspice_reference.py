"""What the bench scripts that compare with ngspice share: the ngspice 47 + KLU binary
(bench/build_ngspice.sh builds it once; NGSPICE47 names another), ngspice's sources exported
from a git clone, and running a command with a timeout."""
import io
import os
import subprocess
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GIT = os.environ.get("NGSPICE_GIT", "/work/.mirror/imr+ngspice/repo")


def ngspice47():
    """Path of ngspice 47 built with KLU, or None when it cannot be built here."""
    path = os.environ.get("NGSPICE47")
    if path:
        return path
    r = subprocess.run([os.path.join(ROOT, "bench", "build_ngspice.sh")], stdout=subprocess.PIPE, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def export(git_dir, paths, out):
    """`git archive HEAD paths…` of ngspice's repository, unpacked into `out`."""
    archive = subprocess.run(["git", "--git-dir", git_dir, "archive", "HEAD", *paths], check=True,
                             stdout=subprocess.PIPE).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as t:
        t.extractall(out)


def run(cmd, cwd, timeout):
    """Exit status (None on timeout) and the merged output of `cmd` run in `cwd`."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           text=True, errors="replace", timeout=timeout)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        return None, ""
