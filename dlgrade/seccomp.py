"""Seccomp allow-lists for the sandboxed worker, assembled as classic BPF in pure Python.

Two filters, both allow-lists (every system call not named here fails with EPERM):

- ``program(arch, stage="startup")``: handed to bubblewrap (``bwrap --seccomp FD``), in force
  from the moment the worker's interpreter is executed. It also allows what starting up needs:
  ``execve`` (bwrap's own exec of Python) and giving up the root user id (``setresuid``...).
- ``program(arch, stage="locked", pid=...)``: installed by the worker itself, on top of the
  first, before any submitted code runs: no exec, no change of ids, threads but no processes,
  signals only to itself, a few harmless ``prctl`` options.

System calls of another ABI on the same machine (i386 ``int 0x80``, x32 numbers) kill the
process: their numbers mean different calls, so an allow-list by number would not hold.

This file imports nothing from the package: the worker loads it as a top-level module.
"""

from __future__ import annotations

import errno
import struct

# struct seccomp_data: nr (u32) at 0, arch (u32) at 4, instruction pointer at 8, args (u64) from 16.
_NR, _ARCH, _ARG0 = 0, 4, 16
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, KILL_PROCESS = 0x7FFF0000, 0x80000000
EPERM, ENOSYS = 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
CLONE_THREAD = 0x00010000
X32_SYSCALL_BIT = 0x40000000

# (audit architecture, syscall numbers) by platform.machine(); numbers from the kernel's headers.
ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        {
            **{"read": 0, "write": 1, "readv": 19, "writev": 20, "pread64": 17, "pwrite64": 18, "preadv": 295},
            **{"pwritev": 296, "preadv2": 327, "pwritev2": 328, "open": 2, "openat": 257, "close": 3},
            **{"close_range": 436, "lseek": 8, "fstat": 5, "stat": 4, "lstat": 6, "newfstatat": 262, "statx": 332},
            **{"access": 21, "faccessat": 269, "faccessat2": 439, "readlink": 89, "readlinkat": 267},
            **{"getdents64": 217, "getcwd": 79, "chdir": 80, "fchdir": 81, "mkdir": 83, "mkdirat": 258},
            **{"rmdir": 84, "unlink": 87, "unlinkat": 263, "rename": 82, "renameat": 264, "renameat2": 316},
            **{"ftruncate": 77, "truncate": 76, "fsync": 74, "fdatasync": 75, "fchmod": 91, "fchmodat": 268},
            **{"chmod": 90, "umask": 95, "utimensat": 280, "dup": 32, "dup2": 33, "dup3": 292, "pipe": 22},
            **{"pipe2": 293, "fcntl": 72, "flock": 73, "ioctl": 16, "poll": 7, "ppoll": 271, "select": 23},
            **{"pselect6": 270, "epoll_create1": 291, "epoll_ctl": 233, "epoll_wait": 232, "epoll_pwait": 281},
            **{"eventfd2": 290, "mmap": 9, "munmap": 11, "mprotect": 10, "mremap": 25, "madvise": 28, "brk": 12},
            **{"mbind": 237, "get_mempolicy": 239, "msync": 26, "mincore": 27, "futex": 202},
            **{"set_robust_list": 273, "get_robust_list": 274, "rseq": 334, "set_tid_address": 218},
            **{"gettid": 186, "getpid": 39, "getppid": 110, "getuid": 102, "geteuid": 107, "getgid": 104},
            **{"getegid": 108, "getresuid": 118, "getresgid": 120, "getgroups": 115, "getpgrp": 111},
            **{"getpgid": 121, "getsid": 124, "clock_gettime": 228, "clock_getres": 229, "clock_nanosleep": 230},
            **{"nanosleep": 35, "gettimeofday": 96, "time": 201, "getitimer": 36, "setitimer": 38, "times": 100},
            **{"getrusage": 98, "sysinfo": 99, "uname": 63, "getrandom": 318, "sched_getaffinity": 204},
            **{"sched_yield": 24, "sched_getparam": 143, "sched_getscheduler": 145, "getpriority": 140},
            **{"membarrier": 324, "rt_sigaction": 13, "rt_sigprocmask": 14, "rt_sigreturn": 15, "sigaltstack": 131},
            **{"rt_sigsuspend": 130, "rt_sigtimedwait": 128, "rt_sigpending": 127, "restart_syscall": 219},
            **{"exit": 60, "exit_group": 231, "arch_prctl": 158, "prlimit64": 302, "getrlimit": 97},
            **{"setrlimit": 160, "prctl": 157, "seccomp": 317, "clone": 56, "clone3": 435, "kill": 62},
            **{"tkill": 200, "tgkill": 234, "execve": 59, "setresuid": 117, "setresgid": 119, "setgroups": 116},
            **{"fadvise64": 221, "sendfile": 40, "copy_file_range": 326, "wait4": 61, "waitid": 247},
            **{"alarm": 37, "pause": 34, "getcpu": 309, "statfs": 137, "fstatfs": 138},
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            **{"read": 63, "write": 64, "readv": 65, "writev": 66, "pread64": 67, "pwrite64": 68, "preadv": 69},
            **{"pwritev": 70, "preadv2": 286, "pwritev2": 287, "openat": 56, "close": 57, "close_range": 436},
            **{"lseek": 62, "fstat": 80, "newfstatat": 79, "statx": 291, "faccessat": 48, "faccessat2": 439},
            **{"readlinkat": 78, "getdents64": 61, "getcwd": 17, "chdir": 49, "fchdir": 50, "mkdirat": 34},
            **{"unlinkat": 35, "renameat": 38, "renameat2": 276, "ftruncate": 46, "truncate": 45, "fsync": 82},
            **{"fdatasync": 83, "fchmod": 52, "fchmodat": 53, "umask": 166, "utimensat": 88, "dup": 23},
            **{"dup3": 24, "pipe2": 59, "fcntl": 25, "flock": 32, "ioctl": 29, "ppoll": 73, "pselect6": 72},
            **{"epoll_create1": 20, "epoll_ctl": 21, "epoll_pwait": 22, "eventfd2": 19, "mmap": 222},
            **{"munmap": 215, "mprotect": 226, "mremap": 216, "madvise": 233, "brk": 214, "mbind": 235},
            **{"get_mempolicy": 236, "msync": 227, "mincore": 232, "futex": 98, "set_robust_list": 99},
            **{"get_robust_list": 100, "rseq": 293, "set_tid_address": 96, "gettid": 178, "getpid": 172},
            **{"getppid": 173, "getuid": 174, "geteuid": 175, "getgid": 176, "getegid": 177, "getresuid": 148},
            **{"getresgid": 150, "getgroups": 158, "getpgid": 155, "getsid": 156, "clock_gettime": 113},
            **{"clock_getres": 114, "clock_nanosleep": 115, "nanosleep": 101, "gettimeofday": 169},
            **{"getitimer": 102, "setitimer": 103, "times": 153, "getrusage": 165, "sysinfo": 179, "uname": 160},
            **{"getrandom": 278, "sched_getaffinity": 123, "sched_yield": 124, "sched_getparam": 121},
            **{"sched_getscheduler": 120, "getpriority": 141, "membarrier": 283, "rt_sigaction": 134},
            **{"rt_sigprocmask": 135, "rt_sigreturn": 139, "sigaltstack": 132, "rt_sigsuspend": 133},
            **{"rt_sigtimedwait": 137, "rt_sigpending": 136, "restart_syscall": 128, "exit": 93},
            **{"exit_group": 94, "prlimit64": 261, "getrlimit": 163, "setrlimit": 164, "prctl": 167},
            **{"seccomp": 277, "clone": 220, "clone3": 435, "kill": 129, "tkill": 130, "tgkill": 131},
            **{"execve": 221, "setresuid": 147, "setresgid": 149, "setgroups": 159, "fadvise64": 223},
            **{"sendfile": 71, "copy_file_range": 285, "wait4": 260, "waitid": 95},
            **{"getcpu": 168, "statfs": 43, "fstatfs": 44},
        },
    ),
}

# Allowed in both stages without looking at the arguments.
PLAIN = frozenset(
    {"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2"}
    | {"open", "openat", "close", "close_range", "lseek", "fstat", "stat", "lstat", "newfstatat", "statx"}
    | {"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents64", "getcwd", "chdir", "fchdir"}
    | {"mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "ftruncate"}
    | {"truncate", "fsync", "fdatasync", "fchmod", "fchmodat", "chmod", "umask", "utimensat", "dup", "dup2"}
    | {"dup3", "pipe", "pipe2", "fcntl", "flock", "ioctl", "poll", "ppoll", "select", "pselect6"}
    | {"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "eventfd2", "mmap", "munmap", "mprotect"}
    | {"mremap", "madvise", "brk", "mbind", "get_mempolicy", "msync", "mincore", "futex", "set_robust_list"}
    | {"get_robust_list", "rseq", "set_tid_address", "gettid", "getpid", "getppid", "getuid", "geteuid"}
    | {"getgid", "getegid", "getresuid", "getresgid", "getgroups", "getpgrp", "getpgid", "getsid"}
    | {"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time", "getitimer"}
    | {"setitimer", "times", "getrusage", "sysinfo", "uname", "getrandom", "sched_getaffinity", "sched_yield"}
    | {"sched_getparam", "sched_getscheduler", "getpriority", "membarrier", "rt_sigaction", "rt_sigprocmask"}
    | {"rt_sigreturn", "sigaltstack", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigpending", "restart_syscall"}
    | {"exit", "exit_group", "arch_prctl", "prlimit64", "getrlimit", "setrlimit", "seccomp", "fadvise64"}
    | {"sendfile", "copy_file_range", "wait4", "waitid"}  # wait: bwrap's init reaps the worker
    | {"alarm", "pause", "getcpu", "statfs", "fstatfs"}
)
# Only while starting up: bwrap's exec of Python, and the worker giving up the root user id.
STARTUP_ONLY = frozenset({"execve", "setresuid", "setresgid", "setgroups"})
# prctl options allowed once locked: names, reading flags, adding seccomp filters, naming memory.
PRCTL_OPTIONS = (1, 2, 3, 15, 16, 21, 22, 23, 38, 39, 0x53564D41)


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def _block(number: int, body: list[bytes]) -> list[bytes]:
    """If the call number is ``number``, run ``body`` (which must end in returns); else skip it."""
    return [_insn(_JEQ, 0, len(body), number), *body]


def program(arch: str, stage: str = "startup", pid: int | None = None) -> bytes:
    """The filter for ``arch`` (a platform.machine() name) as bytes of struct sock_filter.

    stage "startup": what bwrap installs. stage "locked": what the worker adds before running
    submitted code; ``pid`` is the worker's own process id (the only target of its signals).
    """
    if arch not in ARCHES:
        raise LookupError(f"no seccomp filter for the {arch} architecture")
    if stage not in ("startup", "locked") or (stage == "locked" and pid is None):
        raise ValueError("stage is 'startup', or 'locked' with the worker's pid")
    audit_arch, numbers = ARCHES[arch]
    out = [
        _insn(_LD_ABS, 0, 0, _ARCH),
        _insn(_JEQ, 1, 0, audit_arch),
        _insn(_RET, 0, 0, KILL_PROCESS),  # another ABI: numbers mean other calls
        _insn(_LD_ABS, 0, 0, _NR),
    ]
    if arch == "x86_64":
        out += [_insn(_JGE, 0, 1, X32_SYSCALL_BIT), _insn(_RET, 0, 0, KILL_PROCESS)]
    allowed = PLAIN | (STARTUP_ONLY if stage == "startup" else frozenset())
    for name in sorted(allowed & numbers.keys(), key=numbers.get):
        out += [_insn(_JEQ, 0, 1, numbers[name]), _insn(_RET, 0, 0, ALLOW)]
    # clone3 hides its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone.
    out += _block(numbers["clone3"], [_insn(_RET, 0, 0, ENOSYS)])
    # clone: threads only (a new process, or new namespaces, need flags without CLONE_THREAD)
    out += _block(
        numbers["clone"],
        [
            _insn(_LD_ABS, 0, 0, _ARG0),
            _insn(_JSET, 0, 1, CLONE_THREAD),
            _insn(_RET, 0, 0, ALLOW),
            _insn(_RET, 0, 0, EPERM),
        ],
    )
    if stage == "startup":
        for name in ("kill", "tkill", "tgkill", "prctl"):
            out += [_insn(_JEQ, 0, 1, numbers[name]), _insn(_RET, 0, 0, ALLOW)]
    else:
        for name in ("kill", "tgkill"):  # only at itself (raise(), a crash, signal.pthread_kill)
            out += _block(
                numbers[name],
                [
                    _insn(_LD_ABS, 0, 0, _ARG0),
                    _insn(_JEQ, 0, 1, pid),
                    _insn(_RET, 0, 0, ALLOW),
                    _insn(_RET, 0, 0, EPERM),
                ],
            )
        checks = [_insn(_LD_ABS, 0, 0, _ARG0)]
        for k, option in enumerate(PRCTL_OPTIONS):
            checks.append(_insn(_JEQ, len(PRCTL_OPTIONS) - k, 0, option))
        checks += [_insn(_RET, 0, 0, EPERM), _insn(_RET, 0, 0, ALLOW)]
        out += _block(numbers["prctl"], checks)
    out.append(_insn(_RET, 0, 0, EPERM))
    if len(out) > 4096:
        raise ValueError("seccomp program too long")
    return b"".join(out)


def install(filter_bytes: bytes) -> None:
    """Install a filter on this process (and every thread it starts later); raises OSError."""
    import ctypes

    count = len(filter_bytes) // 8

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    buffer = ctypes.create_string_buffer(filter_bytes, len(filter_bytes))
    fprog = SockFprog(count, ctypes.cast(buffer, ctypes.c_char_p))
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
