#!/usr/bin/env python3
"""outfaults.py CORE BIN SHIM DUMPCHECK TMPDIR: output faults and output
safety on a real vmcore (the LD_PRELOAD injector tests/fault/faultio_shim.c
fails or interrupts writes to the dump file).

- short writes and EINTR: the dump is byte-identical to a clean run;
- EIO after N bytes, EIO from fdatasync: exit 1, makedumpfile's "Can't
  write the dump file" line, never "Completed", the file marked incomplete;
- SIGINT/SIGTERM/SIGHUP early, in the middle and near the end: a clear
  message, death by that signal, and the file is either marked incomplete
  or complete and correct (dumpcheck) -- never a file that claims to be
  complete but is not; a -F stream cut by a signal is refused by -R;
- mode 0600 under umask 000 for every file the tool writes a dump into
  (-l, -E, -R, --dump-dmesg, with and without -f over a 0644 file);
- names: --split refuses one file named twice, writes only its parts 0600; --work-dir gets no file;
  an existing file or a symlink at the output path is not overwritten
  without -f.
Every run has a timeout: never a hang.
"""
import os
import signal
import stat
import subprocess
import sys

core, binpath, shim, dumpcheck, tmp = sys.argv[1:6]
tmp = os.path.abspath(tmp)
os.makedirs(tmp, exist_ok=True)
failures = 0


def ok(cond, name):
    global failures
    print('%s - outfaults: %s' % ('ok' if cond else 'not ok', name))
    if not cond:
        failures += 1


def run(args, env=None, stdin=None, stdout=None, timeout=300, umask=None):
    e = dict(os.environ)
    e.update(env or {})
    pre = (lambda: os.umask(umask)) if umask is not None else None
    try:
        p = subprocess.run([binpath] + args, stdin=stdin,
                           stdout=stdout or subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout,
                           preexec_fn=pre)
    except subprocess.TimeoutExpired:
        return None, '', 'TIMEOUT'
    out = p.stdout.decode(errors='replace') if stdout is None else ''
    return p.returncode, out, p.stderr.decode(errors='replace')


def inject(out, **kw):
    log = os.path.join(tmp, 'faultio.log')
    if os.path.exists(log):
        os.unlink(log)
    e = {'LD_PRELOAD': shim, 'FAULTIO_OUT': out, 'FAULTIO_LOG': log,
         'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
         ':verify_asan_link_order=0'}
    for k, v in kw.items():
        e['FAULTIO_OUT_' + k.upper()] = str(v)
    return e, log


def stat_log(log):
    try:
        w = open(log).read().split()
        return {w[i]: int(w[i + 1]) for i in range(0, len(w) - 1, 2)}
    except (OSError, ValueError, IndexError):
        return {}


def fresh(name):
    p = os.path.join(tmp, name)
    if os.path.lexists(p):
        os.unlink(p)
    return p


def incomplete(path, fmt):
    """the file's own marker: kdump header status bit 8, ELF e_flags bit 1"""
    with open(path, 'rb') as f:
        head = f.read(512)
    if fmt == 'E':
        return len(head) >= 52 and head[:4] == b'\x7fELF' and \
            int.from_bytes(head[48:52], 'little') & 1 == 1
    return len(head) >= 428 and head[:8] == b'KDUMP   ' and \
        int.from_bytes(head[424:428], 'little') & 8 == 8


def claims_complete(path, fmt):
    with open(path, 'rb') as f:
        head = f.read(512)
    if fmt == 'E':
        return head[:4] == b'\x7fELF' and \
            int.from_bytes(head[48:52], 'little') & 1 == 0
    return head[:8] == b'KDUMP   ' and \
        int.from_bytes(head[424:428], 'little') & 8 == 0


def checked(path, allow_incomplete=False):
    args = [dumpcheck] + (['--allow-incomplete'] if allow_incomplete else []) \
        + [path, core]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    return p.returncode == 0


def rest_right(path):
    """an incomplete file cut after its headers and bitmaps: every page
    that is there reads back right; one cut inside them has only its mark"""
    return os.path.getsize(path) < (1 << 20) or \
        checked(path, allow_incomplete=True)


def failed(rc, out, err):
    return rc == 1 and 'makedumpfile Failed.' in out + err and \
        'makedumpfile Completed.' not in out + err


FMT = {'l': ['-l'], 'E': ['-E']}

# clean runs: the reference bytes
ref = {}
for fmt, opt in FMT.items():
    p = fresh('ref.' + fmt)
    rc, out, err = run(opt + ['-d', '31', core, p])
    ok(rc == 0 and checked(p), 'clean -%s -d 31 dump checks out' % fmt)
    ref[fmt] = p
size = {fmt: os.path.getsize(p) for fmt, p in ref.items()}

# 1. short writes and EINTR change nothing
for fmt, opt in FMT.items():
    p = fresh('short.' + fmt)
    env, log = inject(p, short=1000, eintr=1)
    rc, out, err = run(opt + ['-d', '31', core, p], env)
    st = stat_log(log)
    same = rc == 0 and open(p, 'rb').read() == open(ref[fmt], 'rb').read()
    ok(same and st.get('outfaults', 0) > 0,
       '-%s: writes of at most 1000 bytes, every other one EINTR: '
       'byte-identical dump (%s writes)' % (fmt, st.get('outwrites')))
    os.unlink(p)

# 2. EIO: a failure, said once, the file marked incomplete
for fmt, opt in FMT.items():
    for at in (4096, size[fmt] // 2):
        p = fresh('eio.' + fmt)
        env, log = inject(p, eio=at)
        rc, out, err = run(opt + ['-d', '31', core, p], env)
        ok(failed(rc, out, err) and
           "Can't write the dump file(%s). Input/output error" % p in err and
           incomplete(p, fmt) and rest_right(p),
           '-%s: EIO after %d bytes: exit %s, "Can\'t write ... Input/output '
           'error", marked incomplete, what is there is right'
           % (fmt, at, rc))
        os.unlink(p)
    p = fresh('sync.' + fmt)
    env, log = inject(p, sync_eio=1)
    rc, out, err = run(opt + ['-d', '31', core, p], env)
    ok(failed(rc, out, err) and stat_log(log).get('outfaults', 0) > 0 and
       not claims_complete(p, fmt),
       '-%s: fdatasync fails with EIO: exit %s, never "Completed", not '
       'claimed complete: %r' % (fmt, rc, err.strip().splitlines()[-1:]))
    os.unlink(p)
    # the dump's writeback is waited for along the way (sink.c's syncer,
    # every 16 MiB): an error the kernel reports to that fdatasync() only
    # is not lost
    p = fresh('sync1.' + fmt)
    env, log = inject(p, sync_eio_once=1)
    rc, out, err = run(opt + ['-d', '31', core, p], env)
    st = stat_log(log)
    ok(failed(rc, out, err) and st.get('outfaults', 0) == 1 and
       st.get('outsyncs', 0) >= 1 and not claims_complete(p, fmt) and
       "Can't write the dump file(%s)" % p in err and
       'Input/output error' in err,
       '-%s: only the first fdatasync fails (of %s): exit %s, "Can\'t '
       'write ... Input/output error", not claimed complete'
       % (fmt, st.get('outsyncs'), rc))
    os.unlink(p)
    p = fresh('syncs.' + fmt)
    env, log = inject(p)
    rc, out, err = run(opt + ['-d', '31', core, p], env)
    st = stat_log(log)
    # one along the way from 16 MiB on, and the last one
    want = 2 if size[fmt] >= (18 << 20) else 1
    ok(rc == 0 and st.get('outsyncs', 0) >= want,
       '-%s: a %d-byte dump is synced along the way: %s fdatasync() calls '
       '(at least %d)' % (fmt, size[fmt], st.get('outsyncs'), want))
    os.unlink(p)

# 3. signals: complete-and-right or marked incomplete, never in between
for fmt, opt in FMT.items():
    for sig, at in ((signal.SIGINT, 8192), (signal.SIGTERM, size[fmt] // 2),
                    (signal.SIGHUP, size[fmt] - 64), (signal.SIGTERM,
                                                      size[fmt])):
        p = fresh('sig.' + fmt)
        env, log = inject(p, signal='%d:%d' % (at, sig))
        rc, out, err = run(opt + ['-d', '31', core, p], env)
        name = signal.Signals(sig).name
        if rc == -sig:
            said = 'interrupted by %s' % name in err and \
                'makedumpfile Failed.' in err
            if claims_complete(p, fmt):
                good = checked(p)
                how = 'complete and correct'
            else:
                good = incomplete(p, fmt) and rest_right(p)
                how = 'marked incomplete'
            ok(said and good, '-%s: %s after %d of %d bytes: says so, dies of '
               'it, the file is %s' % (fmt, name, at, size[fmt], how))
        else:
            # the signal point lies past the last write: it never fired
            ok(rc == 0 and checked(p),
               '-%s: %s at byte %d never fired (exit %s): complete, correct'
               % (fmt, name, at, rc))
        os.unlink(p)

# a -F stream cut by SIGTERM: -R refuses it
stream = fresh('cut.F')
env, log = inject('-', signal='%d:%d' % (1 << 20, signal.SIGTERM))
with open(stream, 'wb') as f:
    rc, out, err = run(['-F', '-l', '-d', '31', core], env, stdout=f)
ok(rc == -signal.SIGTERM and 'interrupted by SIGTERM' in err,
   '-F: SIGTERM after 1 MiB of the stream: says so, dies of it')
with open(stream, 'rb') as f:
    rc, out, err = run(['-R', fresh('cut.R')], stdin=f)
ok(rc == 1 and 'end marker' in err,
   '-R refuses the cut stream: %r' % err.strip().splitlines()[-1:])

# 4. modes: 0600 whatever the umask, and over an existing 0644 file (-f)
dmesg = fresh('dmesg.txt')
for what, args, path in (
        ('-l', ['-l', '-d', '31', core], fresh('m.l')),
        ('-E', ['-E', '-d', '31', core], fresh('m.E')),
        ('--dump-dmesg', ['--dump-dmesg', core], dmesg)):
    rc, out, err = run(args + [path], umask=0)
    mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else None
    ok(rc == 0 and mode == 0o600, '%s under umask 000: mode %s'
       % (what, oct(mode) if mode is not None else None))
    os.chmod(path, 0o644)
    rc, out, err = run(['-f'] + args + [path], umask=0)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    ok(rc == 0 and mode == 0o600, '%s -f over a 0644 file: mode %s'
       % (what, oct(mode)))
    os.unlink(path)
stream = fresh('m.F')
with open(stream, 'wb') as f:
    run(['-F', '-l', '-d', '31', core], stdout=f)
r = fresh('m.R')
with open(stream, 'rb') as f:
    rc, out, err = run(['-R', r], stdin=f, umask=0)
ok(rc == 0 and stat.S_IMODE(os.stat(r).st_mode) == 0o600,
   '-R under umask 000: mode %s' % oct(stat.S_IMODE(os.stat(r).st_mode)))
os.unlink(stream)
os.unlink(r)

# 5. names: no traversal, no overwrite, nothing in --work-dir
victim = fresh('victim')
with open(victim, 'w') as f:
    f.write('precious\n')
link = fresh('link.l')
os.symlink(victim, link)
rc, out, err = run(['-l', '-d', '31', core, link])
ok(rc == 1 and open(victim).read() == 'precious\n',
   'a symlink at the output path is not followed: exit %s, %r'
   % (rc, err.strip().splitlines()[-1:]))
rc, out, err = run(['-l', '-d', '31', core, victim])
ok(rc == 1 and open(victim).read() == 'precious\n' and 'File exists' in err,
   'an existing file is not overwritten without -f')
sub = os.path.join(tmp, 'split')
os.makedirs(sub, exist_ok=True)
for n in os.listdir(sub):
    os.unlink(os.path.join(sub, n))
rc, out, err = run(['-f', '--split', '-l', '-d', '31', core,
                    os.path.join(sub, 'a'), os.path.join(sub, '../split/a')])
ok(rc == 1 and os.listdir(sub) == [] and 'the same file' in err,
   '--split -f naming one file twice is refused before any write too')
rc, out, err = run(['--split', '-l', '-d', '31', core,
                    os.path.join(sub, 'a'), os.path.join(sub, '../split/a')])
ok(rc == 1 and os.listdir(sub) == [] and 'the same file' in err,
   '--split naming one file twice (a, ../split/a) is refused before any '
   'write: %r' % [l for l in err.splitlines() if 'same file' in l])
rc, out, err = run(['--split', '-l', '-d', '31', core,
                    os.path.join(sub, 'a'), os.path.join(sub, '../split/b')],
                   umask=0)
modes = sorted((n, oct(os.stat(os.path.join(sub, n)).st_mode & 0o777))
               for n in os.listdir(sub))
ok(rc == 0 and modes == [('a', '0o600'), ('b', '0o600')],
   '--split writes exactly the named parts, mode 0600 under umask 000: %r' % modes)
for n in os.listdir(sub):
    os.unlink(os.path.join(sub, n))
wd = os.path.join(tmp, 'workdir')
os.makedirs(wd, exist_ok=True)
for n in os.listdir(wd):
    os.unlink(os.path.join(wd, n))
p = fresh('wd.l')
rc, out, err = run(['-l', '-d', '31', '--work-dir', wd, core, p])
ok(rc == 0 and os.listdir(wd) == [] and checked(p),
   '--work-dir: the dump is right and nothing is written there')
for p in (p, victim, link, ref['l'], ref['E']):
    if os.path.lexists(p):
        os.unlink(p)
sys.exit(1 if failures else 0)
