/*
 * The amd64 syscall table: every x86-64 syscall number with its name (the
 * one strace prints), how --strace shows its arguments, and its handler.
 *
 * Handlers are referred to weakly: an area that does not define
 * sys_NAME (SYSCALL_DEFINE(NAME)) leaves the pointer NULL, which the
 * dispatcher turns into ENOSYS. Numbers 335..423 are unused on x86-64 (the
 * gap that aligns the numbering with the other architectures from 424 on).
 * Numbers past the last one in the build host's <asm/unistd_64.h> are
 * written as literals.
 */
#include "syscalls/syscalls.h"
#include "syscalls/strace.h"

/* X(number, name, result-is-address, argument kinds...) */
#define SYSCALL_LIST(X)                                                              \
	X(0, read, 0, A_FD, A_BUF_OUT, A_UINT)                                       \
	X(1, write, 0, A_FD, A_BUF_IN, A_UINT)                                       \
	X(2, open, 0, A_STR, A_OFLAGS, A_MODE)                                       \
	X(3, close, 0, A_FD)                                                         \
	X(4, stat, 0, A_STR, A_PTR)                                                  \
	X(5, fstat, 0, A_FD, A_PTR)                                                  \
	X(6, lstat, 0, A_STR, A_PTR)                                                 \
	X(7, poll, 0, A_PTR, A_UINT, A_INT)                                          \
	X(8, lseek, 0, A_FD, A_LONG, A_WHENCE)                                       \
	X(9, mmap, 1, A_PTR, A_UINT, A_PROT, A_MMAP_FLAGS, A_FD, A_HEX)              \
	X(10, mprotect, 0, A_PTR, A_UINT, A_PROT)                                    \
	X(11, munmap, 0, A_PTR, A_UINT)                                              \
	X(12, brk, 1, A_PTR)                                                         \
	X(13, rt_sigaction, 0, A_SIGNAL, A_PTR, A_PTR, A_UINT)                       \
	X(14, rt_sigprocmask, 0, A_SIGMASK_HOW, A_SIGSET_PTR, A_SIGSET_PTR, A_UINT)  \
	X(15, rt_sigreturn, 0)                                                       \
	X(16, ioctl, 0, A_FD, A_IOCTL_CMD, A_HEX)                                    \
	X(17, pread64, 0, A_FD, A_BUF_OUT, A_UINT, A_LONG)                           \
	X(18, pwrite64, 0, A_FD, A_BUF_IN, A_UINT, A_LONG)                           \
	X(19, readv, 0, A_FD, A_PTR, A_INT)                                          \
	X(20, writev, 0, A_FD, A_PTR, A_INT)                                         \
	X(21, access, 0, A_STR, A_ACCESS_MODE)                                       \
	X(22, pipe, 0, A_PTR)                                                        \
	X(23, select, 0, A_INT, A_PTR, A_PTR, A_PTR, A_PTR)                          \
	X(24, sched_yield, 0)                                                        \
	X(25, mremap, 1, A_PTR, A_UINT, A_UINT, A_MREMAP_FLAGS, A_PTR)               \
	X(26, msync, 0, A_PTR, A_UINT, A_HEX)                                        \
	X(27, mincore, 0, A_PTR, A_UINT, A_PTR)                                      \
	X(28, madvise, 0, A_PTR, A_UINT, A_MADVISE)                                  \
	X(29, shmget, 0, A_HEX, A_UINT, A_HEX)                                       \
	X(30, shmat, 1, A_INT, A_PTR, A_HEX)                                         \
	X(31, shmctl, 0, A_INT, A_INT, A_PTR)                                        \
	X(32, dup, 0, A_FD)                                                          \
	X(33, dup2, 0, A_FD, A_FD)                                                   \
	X(34, pause, 0)                                                              \
	X(35, nanosleep, 0, A_PTR, A_PTR)                                            \
	X(36, getitimer, 0, A_ITIMER_WHICH, A_PTR)                                   \
	X(37, alarm, 0, A_UINT)                                                      \
	X(38, setitimer, 0, A_ITIMER_WHICH, A_PTR, A_PTR)                            \
	X(39, getpid, 0)                                                             \
	X(40, sendfile, 0, A_FD, A_FD, A_PTR, A_UINT)                                \
	X(41, socket, 0, A_SOCK_FAMILY, A_SOCK_TYPE, A_INT)                          \
	X(42, connect, 0, A_FD, A_PTR, A_UINT)                                       \
	X(43, accept, 0, A_FD, A_PTR, A_PTR)                                         \
	X(44, sendto, 0, A_FD, A_BUF_IN, A_UINT, A_HEX, A_PTR, A_UINT)               \
	X(45, recvfrom, 0, A_FD, A_BUF_OUT, A_UINT, A_HEX, A_PTR, A_PTR)             \
	X(46, sendmsg, 0, A_FD, A_PTR, A_HEX)                                        \
	X(47, recvmsg, 0, A_FD, A_PTR, A_HEX)                                        \
	X(48, shutdown, 0, A_FD, A_SHUT_HOW)                                         \
	X(49, bind, 0, A_FD, A_PTR, A_UINT)                                          \
	X(50, listen, 0, A_FD, A_INT)                                                \
	X(51, getsockname, 0, A_FD, A_PTR, A_PTR)                                    \
	X(52, getpeername, 0, A_FD, A_PTR, A_PTR)                                    \
	X(53, socketpair, 0, A_SOCK_FAMILY, A_SOCK_TYPE, A_INT, A_PTR)               \
	X(54, setsockopt, 0, A_FD, A_INT, A_INT, A_PTR, A_UINT)                      \
	X(55, getsockopt, 0, A_FD, A_INT, A_INT, A_PTR, A_PTR)                       \
	X(56, clone, 0, A_CLONE_FLAGS, A_PTR, A_PTR, A_PTR, A_HEX)                   \
	X(57, fork, 0)                                                               \
	X(58, vfork, 0)                                                              \
	X(59, execve, 0, A_STR, A_STRV, A_STRV)                                      \
	X(60, exit, 0, A_INT)                                                        \
	X(61, wait4, 0, A_INT, A_PTR, A_WAIT_OPTIONS, A_PTR)                         \
	X(62, kill, 0, A_INT, A_SIGNAL)                                              \
	X(63, uname, 0, A_PTR)                                                       \
	X(64, semget, 0, A_HEX, A_INT, A_HEX)                                        \
	X(65, semop, 0, A_INT, A_PTR, A_UINT)                                        \
	X(66, semctl, 0, A_INT, A_INT, A_INT, A_HEX)                                 \
	X(67, shmdt, 0, A_PTR)                                                       \
	X(68, msgget, 0, A_HEX, A_HEX)                                               \
	X(69, msgsnd, 0, A_INT, A_PTR, A_UINT, A_HEX)                                \
	X(70, msgrcv, 0, A_INT, A_PTR, A_UINT, A_LONG, A_HEX)                        \
	X(71, msgctl, 0, A_INT, A_INT, A_PTR)                                        \
	X(72, fcntl, 0, A_FD, A_FCNTL_CMD, A_FCNTL_ARG)                              \
	X(73, flock, 0, A_FD, A_FLOCK_OP)                                            \
	X(74, fsync, 0, A_FD)                                                        \
	X(75, fdatasync, 0, A_FD)                                                    \
	X(76, truncate, 0, A_STR, A_LONG)                                            \
	X(77, ftruncate, 0, A_FD, A_LONG)                                            \
	X(78, getdents, 0, A_FD, A_PTR, A_UINT)                                      \
	X(79, getcwd, 0, A_PTR, A_UINT)                                              \
	X(80, chdir, 0, A_STR)                                                       \
	X(81, fchdir, 0, A_FD)                                                       \
	X(82, rename, 0, A_STR, A_STR)                                               \
	X(83, mkdir, 0, A_STR, A_MODE)                                               \
	X(84, rmdir, 0, A_STR)                                                       \
	X(85, creat, 0, A_STR, A_MODE)                                               \
	X(86, link, 0, A_STR, A_STR)                                                 \
	X(87, unlink, 0, A_STR)                                                      \
	X(88, symlink, 0, A_STR, A_STR)                                              \
	X(89, readlink, 0, A_STR, A_BUF_OUT, A_UINT)                                 \
	X(90, chmod, 0, A_STR, A_MODE)                                               \
	X(91, fchmod, 0, A_FD, A_MODE)                                               \
	X(92, chown, 0, A_STR, A_INT, A_INT)                                         \
	X(93, fchown, 0, A_FD, A_INT, A_INT)                                         \
	X(94, lchown, 0, A_STR, A_INT, A_INT)                                        \
	X(95, umask, 0, A_MODE)                                                      \
	X(96, gettimeofday, 0, A_PTR, A_PTR)                                         \
	X(97, getrlimit, 0, A_RLIMIT, A_PTR)                                         \
	X(98, getrusage, 0, A_INT, A_PTR)                                            \
	X(99, sysinfo, 0, A_PTR)                                                     \
	X(100, times, 0, A_PTR)                                                      \
	X(101, ptrace, 0, A_INT, A_INT, A_PTR, A_PTR)                                \
	X(102, getuid, 0)                                                            \
	X(103, syslog, 0, A_INT, A_PTR, A_INT)                                       \
	X(104, getgid, 0)                                                            \
	X(105, setuid, 0, A_INT)                                                     \
	X(106, setgid, 0, A_INT)                                                     \
	X(107, geteuid, 0)                                                           \
	X(108, getegid, 0)                                                           \
	X(109, setpgid, 0, A_INT, A_INT)                                             \
	X(110, getppid, 0)                                                           \
	X(111, getpgrp, 0)                                                           \
	X(112, setsid, 0)                                                            \
	X(113, setreuid, 0, A_INT, A_INT)                                            \
	X(114, setregid, 0, A_INT, A_INT)                                            \
	X(115, getgroups, 0, A_INT, A_PTR)                                           \
	X(116, setgroups, 0, A_INT, A_PTR)                                           \
	X(117, setresuid, 0, A_INT, A_INT, A_INT)                                    \
	X(118, getresuid, 0, A_PTR, A_PTR, A_PTR)                                    \
	X(119, setresgid, 0, A_INT, A_INT, A_INT)                                    \
	X(120, getresgid, 0, A_PTR, A_PTR, A_PTR)                                    \
	X(121, getpgid, 0, A_INT)                                                    \
	X(122, setfsuid, 0, A_INT)                                                   \
	X(123, setfsgid, 0, A_INT)                                                   \
	X(124, getsid, 0, A_INT)                                                     \
	X(125, capget, 0, A_PTR, A_PTR)                                              \
	X(126, capset, 0, A_PTR, A_PTR)                                              \
	X(127, rt_sigpending, 0, A_SIGSET_PTR, A_UINT)                               \
	X(128, rt_sigtimedwait, 0, A_SIGSET_PTR, A_PTR, A_PTR, A_UINT)               \
	X(129, rt_sigqueueinfo, 0, A_INT, A_SIGNAL, A_PTR)                           \
	X(130, rt_sigsuspend, 0, A_SIGSET_PTR, A_UINT)                               \
	X(131, sigaltstack, 0, A_PTR, A_PTR)                                         \
	X(132, utime, 0, A_STR, A_PTR)                                               \
	X(133, mknod, 0, A_STR, A_MODE, A_HEX)                                       \
	X(134, uselib, 0, A_STR)                                                     \
	X(135, personality, 0, A_HEX)                                                \
	X(136, ustat, 0, A_HEX, A_PTR)                                               \
	X(137, statfs, 0, A_STR, A_PTR)                                              \
	X(138, fstatfs, 0, A_FD, A_PTR)                                              \
	X(139, sysfs, 0, A_INT, A_HEX, A_HEX)                                        \
	X(140, getpriority, 0, A_INT, A_INT)                                         \
	X(141, setpriority, 0, A_INT, A_INT, A_INT)                                  \
	X(142, sched_setparam, 0, A_INT, A_PTR)                                      \
	X(143, sched_getparam, 0, A_INT, A_PTR)                                      \
	X(144, sched_setscheduler, 0, A_INT, A_INT, A_PTR)                           \
	X(145, sched_getscheduler, 0, A_INT)                                         \
	X(146, sched_get_priority_max, 0, A_INT)                                     \
	X(147, sched_get_priority_min, 0, A_INT)                                     \
	X(148, sched_rr_get_interval, 0, A_INT, A_PTR)                               \
	X(149, mlock, 0, A_PTR, A_UINT)                                              \
	X(150, munlock, 0, A_PTR, A_UINT)                                            \
	X(151, mlockall, 0, A_HEX)                                                   \
	X(152, munlockall, 0)                                                        \
	X(153, vhangup, 0)                                                           \
	X(154, modify_ldt, 0, A_INT, A_PTR, A_UINT)                                  \
	X(155, pivot_root, 0, A_STR, A_STR)                                          \
	X(156, _sysctl, 0, A_PTR)                                                    \
	X(157, prctl, 0, A_PRCTL_OP, A_HEX, A_HEX, A_HEX, A_HEX)                     \
	X(158, arch_prctl, 0, A_ARCH_PRCTL_OP, A_HEX)                                \
	X(159, adjtimex, 0, A_PTR)                                                   \
	X(160, setrlimit, 0, A_RLIMIT, A_PTR)                                        \
	X(161, chroot, 0, A_STR)                                                     \
	X(162, sync, 0)                                                              \
	X(163, acct, 0, A_STR)                                                       \
	X(164, settimeofday, 0, A_PTR, A_PTR)                                        \
	X(165, mount, 0, A_STR, A_STR, A_STR, A_HEX, A_PTR)                          \
	X(166, umount2, 0, A_STR, A_HEX)                                             \
	X(167, swapon, 0, A_STR, A_HEX)                                              \
	X(168, swapoff, 0, A_STR)                                                    \
	X(169, reboot, 0, A_HEX, A_HEX, A_HEX, A_PTR)                                \
	X(170, sethostname, 0, A_BUF_IN, A_UINT)                                     \
	X(171, setdomainname, 0, A_BUF_IN, A_UINT)                                   \
	X(172, iopl, 0, A_INT)                                                       \
	X(173, ioperm, 0, A_HEX, A_HEX, A_INT)                                       \
	X(174, create_module, 0, A_STR, A_UINT)                                      \
	X(175, init_module, 0, A_PTR, A_UINT, A_STR)                                 \
	X(176, delete_module, 0, A_STR, A_HEX)                                       \
	X(177, get_kernel_syms, 0, A_PTR)                                            \
	X(178, query_module, 0, A_STR, A_INT, A_PTR, A_UINT, A_PTR)                  \
	X(179, quotactl, 0, A_HEX, A_STR, A_INT, A_PTR)                              \
	X(180, nfsservctl, 0, A_INT, A_PTR, A_PTR)                                   \
	X(181, getpmsg, 0)                                                           \
	X(182, putpmsg, 0)                                                           \
	X(183, afs_syscall, 0)                                                       \
	X(184, tuxcall, 0)                                                           \
	X(185, security, 0)                                                          \
	X(186, gettid, 0)                                                            \
	X(187, readahead, 0, A_FD, A_LONG, A_UINT)                                   \
	X(188, setxattr, 0, A_STR, A_STR, A_BUF_IN, A_UINT, A_HEX)                   \
	X(189, lsetxattr, 0, A_STR, A_STR, A_BUF_IN, A_UINT, A_HEX)                  \
	X(190, fsetxattr, 0, A_FD, A_STR, A_BUF_IN, A_UINT, A_HEX)                   \
	X(191, getxattr, 0, A_STR, A_STR, A_BUF_OUT, A_UINT)                         \
	X(192, lgetxattr, 0, A_STR, A_STR, A_BUF_OUT, A_UINT)                        \
	X(193, fgetxattr, 0, A_FD, A_STR, A_BUF_OUT, A_UINT)                         \
	X(194, listxattr, 0, A_STR, A_BUF_OUT, A_UINT)                               \
	X(195, llistxattr, 0, A_STR, A_BUF_OUT, A_UINT)                              \
	X(196, flistxattr, 0, A_FD, A_BUF_OUT, A_UINT)                               \
	X(197, removexattr, 0, A_STR, A_STR)                                         \
	X(198, lremovexattr, 0, A_STR, A_STR)                                        \
	X(199, fremovexattr, 0, A_FD, A_STR)                                         \
	X(200, tkill, 0, A_INT, A_SIGNAL)                                            \
	X(201, time, 0, A_PTR)                                                       \
	X(202, futex, 0, A_PTR, A_FUTEX_OP, A_INT, A_PTR, A_PTR, A_HEX)              \
	X(203, sched_setaffinity, 0, A_INT, A_UINT, A_PTR)                           \
	X(204, sched_getaffinity, 0, A_INT, A_UINT, A_PTR)                           \
	X(205, set_thread_area, 0, A_PTR)                                            \
	X(206, io_setup, 0, A_UINT, A_PTR)                                           \
	X(207, io_destroy, 0, A_HEX)                                                 \
	X(208, io_getevents, 0, A_HEX, A_LONG, A_LONG, A_PTR, A_PTR)                 \
	X(209, io_submit, 0, A_HEX, A_LONG, A_PTR)                                   \
	X(210, io_cancel, 0, A_HEX, A_PTR, A_PTR)                                    \
	X(211, get_thread_area, 0, A_PTR)                                            \
	X(212, lookup_dcookie, 0, A_HEX, A_PTR, A_UINT)                              \
	X(213, epoll_create, 0, A_INT)                                               \
	X(214, epoll_ctl_old, 0)                                                     \
	X(215, epoll_wait_old, 0)                                                    \
	X(216, remap_file_pages, 0, A_PTR, A_UINT, A_PROT, A_UINT, A_MMAP_FLAGS)     \
	X(217, getdents64, 0, A_FD, A_PTR, A_UINT)                                   \
	X(218, set_tid_address, 0, A_PTR)                                            \
	X(219, restart_syscall, 0)                                                   \
	X(220, semtimedop, 0, A_INT, A_PTR, A_UINT, A_PTR)                           \
	X(221, fadvise64, 0, A_FD, A_LONG, A_LONG, A_INT)                            \
	X(222, timer_create, 0, A_CLOCKID, A_PTR, A_PTR)                             \
	X(223, timer_settime, 0, A_INT, A_HEX, A_PTR, A_PTR)                         \
	X(224, timer_gettime, 0, A_INT, A_PTR)                                       \
	X(225, timer_getoverrun, 0, A_INT)                                           \
	X(226, timer_delete, 0, A_INT)                                               \
	X(227, clock_settime, 0, A_CLOCKID, A_PTR)                                   \
	X(228, clock_gettime, 0, A_CLOCKID, A_PTR)                                   \
	X(229, clock_getres, 0, A_CLOCKID, A_PTR)                                    \
	X(230, clock_nanosleep, 0, A_CLOCKID, A_HEX, A_PTR, A_PTR)                   \
	X(231, exit_group, 0, A_INT)                                                 \
	X(232, epoll_wait, 0, A_FD, A_PTR, A_INT, A_INT)                             \
	X(233, epoll_ctl, 0, A_FD, A_EPOLL_CTL_OP, A_FD, A_PTR)                      \
	X(234, tgkill, 0, A_INT, A_INT, A_SIGNAL)                                    \
	X(235, utimes, 0, A_STR, A_PTR)                                              \
	X(236, vserver, 0)                                                           \
	X(237, mbind, 0, A_PTR, A_UINT, A_INT, A_PTR, A_UINT, A_HEX)                 \
	X(238, set_mempolicy, 0, A_INT, A_PTR, A_UINT)                               \
	X(239, get_mempolicy, 0, A_PTR, A_PTR, A_UINT, A_PTR, A_HEX)                 \
	X(240, mq_open, 0, A_STR, A_OFLAGS, A_MODE, A_PTR)                           \
	X(241, mq_unlink, 0, A_STR)                                                  \
	X(242, mq_timedsend, 0, A_INT, A_BUF_IN, A_UINT, A_UINT, A_PTR)              \
	X(243, mq_timedreceive, 0, A_INT, A_BUF_OUT, A_UINT, A_PTR, A_PTR)           \
	X(244, mq_notify, 0, A_INT, A_PTR)                                           \
	X(245, mq_getsetattr, 0, A_INT, A_PTR, A_PTR)                                \
	X(246, kexec_load, 0, A_HEX, A_UINT, A_PTR, A_HEX)                           \
	X(247, waitid, 0, A_IDTYPE, A_INT, A_PTR, A_WAIT_OPTIONS, A_PTR)             \
	X(248, add_key, 0, A_STR, A_STR, A_PTR, A_UINT, A_INT)                       \
	X(249, request_key, 0, A_STR, A_STR, A_STR, A_INT)                           \
	X(250, keyctl, 0, A_INT, A_HEX, A_HEX, A_HEX, A_HEX)                         \
	X(251, ioprio_set, 0, A_INT, A_INT, A_INT)                                   \
	X(252, ioprio_get, 0, A_INT, A_INT)                                          \
	X(253, inotify_init, 0)                                                      \
	X(254, inotify_add_watch, 0, A_FD, A_STR, A_HEX)                             \
	X(255, inotify_rm_watch, 0, A_FD, A_INT)                                     \
	X(256, migrate_pages, 0, A_INT, A_UINT, A_PTR, A_PTR)                        \
	X(257, openat, 0, A_FD, A_STR, A_OFLAGS, A_MODE)                             \
	X(258, mkdirat, 0, A_FD, A_STR, A_MODE)                                      \
	X(259, mknodat, 0, A_FD, A_STR, A_MODE, A_HEX)                               \
	X(260, fchownat, 0, A_FD, A_STR, A_INT, A_INT, A_ATFLAGS)                    \
	X(261, futimesat, 0, A_FD, A_STR, A_PTR)                                     \
	X(262, newfstatat, 0, A_FD, A_STR, A_PTR, A_ATFLAGS)                         \
	X(263, unlinkat, 0, A_FD, A_STR, A_ATFLAGS)                                  \
	X(264, renameat, 0, A_FD, A_STR, A_FD, A_STR)                                \
	X(265, linkat, 0, A_FD, A_STR, A_FD, A_STR, A_ATFLAGS)                       \
	X(266, symlinkat, 0, A_STR, A_FD, A_STR)                                     \
	X(267, readlinkat, 0, A_FD, A_STR, A_BUF_OUT, A_UINT)                        \
	X(268, fchmodat, 0, A_FD, A_STR, A_MODE)                                     \
	X(269, faccessat, 0, A_FD, A_STR, A_ACCESS_MODE)                             \
	X(270, pselect6, 0, A_INT, A_PTR, A_PTR, A_PTR, A_PTR, A_PTR)                \
	X(271, ppoll, 0, A_PTR, A_UINT, A_PTR, A_SIGSET_PTR, A_UINT)                 \
	X(272, unshare, 0, A_CLONE_FLAGS)                                            \
	X(273, set_robust_list, 0, A_PTR, A_UINT)                                    \
	X(274, get_robust_list, 0, A_INT, A_PTR, A_PTR)                              \
	X(275, splice, 0, A_FD, A_PTR, A_FD, A_PTR, A_UINT, A_HEX)                   \
	X(276, tee, 0, A_FD, A_FD, A_UINT, A_HEX)                                    \
	X(277, sync_file_range, 0, A_FD, A_LONG, A_LONG, A_HEX)                      \
	X(278, vmsplice, 0, A_FD, A_PTR, A_UINT, A_HEX)                              \
	X(279, move_pages, 0, A_INT, A_UINT, A_PTR, A_PTR, A_PTR, A_HEX)             \
	X(280, utimensat, 0, A_FD, A_STR, A_PTR, A_ATFLAGS)                          \
	X(281, epoll_pwait, 0, A_FD, A_PTR, A_INT, A_INT, A_SIGSET_PTR, A_UINT)      \
	X(282, signalfd, 0, A_FD, A_SIGSET_PTR, A_UINT)                              \
	X(283, timerfd_create, 0, A_CLOCKID, A_HEX)                                  \
	X(284, eventfd, 0, A_UINT)                                                   \
	X(285, fallocate, 0, A_FD, A_HEX, A_LONG, A_LONG)                            \
	X(286, timerfd_settime, 0, A_FD, A_HEX, A_PTR, A_PTR)                        \
	X(287, timerfd_gettime, 0, A_FD, A_PTR)                                      \
	X(288, accept4, 0, A_FD, A_PTR, A_PTR, A_SOCK_TYPE)                          \
	X(289, signalfd4, 0, A_FD, A_SIGSET_PTR, A_UINT, A_HEX)                      \
	X(290, eventfd2, 0, A_UINT, A_HEX)                                           \
	X(291, epoll_create1, 0, A_HEX)                                              \
	X(292, dup3, 0, A_FD, A_FD, A_OFLAGS_NOACC)                                  \
	X(293, pipe2, 0, A_PTR, A_OFLAGS_NOACC)                                      \
	X(294, inotify_init1, 0, A_HEX)                                              \
	X(295, preadv, 0, A_FD, A_PTR, A_INT, A_LONG)                                \
	X(296, pwritev, 0, A_FD, A_PTR, A_INT, A_LONG)                               \
	X(297, rt_tgsigqueueinfo, 0, A_INT, A_INT, A_SIGNAL, A_PTR)                  \
	X(298, perf_event_open, 0, A_PTR, A_INT, A_INT, A_FD, A_HEX)                 \
	X(299, recvmmsg, 0, A_FD, A_PTR, A_UINT, A_HEX, A_PTR)                       \
	X(300, fanotify_init, 0, A_HEX, A_HEX)                                       \
	X(301, fanotify_mark, 0, A_FD, A_HEX, A_HEX, A_FD, A_STR)                    \
	X(302, prlimit64, 0, A_INT, A_RLIMIT, A_PTR, A_PTR)                          \
	X(303, name_to_handle_at, 0, A_FD, A_STR, A_PTR, A_PTR, A_ATFLAGS)           \
	X(304, open_by_handle_at, 0, A_FD, A_PTR, A_OFLAGS)                          \
	X(305, clock_adjtime, 0, A_CLOCKID, A_PTR)                                   \
	X(306, syncfs, 0, A_FD)                                                      \
	X(307, sendmmsg, 0, A_FD, A_PTR, A_UINT, A_HEX)                              \
	X(308, setns, 0, A_FD, A_CLONE_FLAGS)                                        \
	X(309, getcpu, 0, A_PTR, A_PTR, A_PTR)                                       \
	X(310, process_vm_readv, 0, A_INT, A_PTR, A_UINT, A_PTR, A_UINT, A_HEX)      \
	X(311, process_vm_writev, 0, A_INT, A_PTR, A_UINT, A_PTR, A_UINT, A_HEX)     \
	X(312, kcmp, 0, A_INT, A_INT, A_INT, A_HEX, A_HEX)                           \
	X(313, finit_module, 0, A_FD, A_STR, A_HEX)                                  \
	X(314, sched_setattr, 0, A_INT, A_PTR, A_HEX)                                \
	X(315, sched_getattr, 0, A_INT, A_PTR, A_UINT, A_HEX)                        \
	X(316, renameat2, 0, A_FD, A_STR, A_FD, A_STR, A_HEX)                        \
	X(317, seccomp, 0, A_UINT, A_HEX, A_PTR)                                     \
	X(318, getrandom, 0, A_BUF_OUT, A_UINT, A_HEX)                               \
	X(319, memfd_create, 0, A_STR, A_HEX)                                        \
	X(320, kexec_file_load, 0, A_FD, A_FD, A_UINT, A_STR, A_HEX)                 \
	X(321, bpf, 0, A_INT, A_PTR, A_UINT)                                         \
	X(322, execveat, 0, A_FD, A_STR, A_STRV, A_STRV, A_ATFLAGS)                  \
	X(323, userfaultfd, 0, A_HEX)                                                \
	X(324, membarrier, 0, A_HEX, A_HEX, A_INT)                                   \
	X(325, mlock2, 0, A_PTR, A_UINT, A_HEX)                                      \
	X(326, copy_file_range, 0, A_FD, A_PTR, A_FD, A_PTR, A_UINT, A_HEX)          \
	X(327, preadv2, 0, A_FD, A_PTR, A_INT, A_LONG, A_HEX, A_HEX)                 \
	X(328, pwritev2, 0, A_FD, A_PTR, A_INT, A_LONG, A_HEX, A_HEX)                \
	X(329, pkey_mprotect, 0, A_PTR, A_UINT, A_PROT, A_INT)                       \
	X(330, pkey_alloc, 0, A_HEX, A_HEX)                                          \
	X(331, pkey_free, 0, A_INT)                                                  \
	X(332, statx, 0, A_FD, A_STR, A_ATFLAGS, A_HEX, A_PTR)                       \
	X(333, io_pgetevents, 0, A_HEX, A_LONG, A_LONG, A_PTR, A_PTR, A_PTR)         \
	X(334, rseq, 0, A_PTR, A_UINT, A_HEX, A_HEX)                                 \
	X(424, pidfd_send_signal, 0, A_FD, A_SIGNAL, A_PTR, A_HEX)                   \
	X(425, io_uring_setup, 0, A_UINT, A_PTR)                                     \
	X(426, io_uring_enter, 0, A_FD, A_UINT, A_UINT, A_HEX, A_PTR, A_UINT)        \
	X(427, io_uring_register, 0, A_FD, A_UINT, A_PTR, A_UINT)                    \
	X(428, open_tree, 0, A_FD, A_STR, A_HEX)                                     \
	X(429, move_mount, 0, A_FD, A_STR, A_FD, A_STR, A_HEX)                       \
	X(430, fsopen, 0, A_STR, A_HEX)                                              \
	X(431, fsconfig, 0, A_FD, A_UINT, A_STR, A_PTR, A_INT)                       \
	X(432, fsmount, 0, A_FD, A_HEX, A_HEX)                                       \
	X(433, fspick, 0, A_FD, A_STR, A_HEX)                                        \
	X(434, pidfd_open, 0, A_INT, A_HEX)                                          \
	X(435, clone3, 0, A_PTR, A_UINT)                                             \
	X(436, close_range, 0, A_UINT, A_UINT, A_HEX)                                \
	X(437, openat2, 0, A_FD, A_STR, A_PTR, A_UINT)                               \
	X(438, pidfd_getfd, 0, A_FD, A_FD, A_HEX)                                    \
	X(439, faccessat2, 0, A_FD, A_STR, A_ACCESS_MODE, A_ATFLAGS)                 \
	X(440, process_madvise, 0, A_FD, A_PTR, A_UINT, A_MADVISE, A_HEX)            \
	X(441, epoll_pwait2, 0, A_FD, A_PTR, A_INT, A_PTR, A_SIGSET_PTR, A_UINT)     \
	X(442, mount_setattr, 0, A_FD, A_STR, A_ATFLAGS, A_PTR, A_UINT)              \
	X(443, quotactl_fd, 0, A_FD, A_HEX, A_INT, A_PTR)                            \
	X(444, landlock_create_ruleset, 0, A_PTR, A_UINT, A_HEX)                     \
	X(445, landlock_add_rule, 0, A_FD, A_INT, A_PTR, A_HEX)                      \
	X(446, landlock_restrict_self, 0, A_FD, A_HEX)                               \
	X(447, memfd_secret, 0, A_HEX)                                               \
	X(448, process_mrelease, 0, A_FD, A_HEX)                                     \
	X(449, futex_waitv, 0, A_PTR, A_UINT, A_HEX, A_PTR, A_CLOCKID)               \
	X(450, set_mempolicy_home_node, 0, A_PTR, A_UINT, A_UINT, A_HEX)             \
	X(451, cachestat, 0, A_FD, A_PTR, A_PTR, A_HEX)                              \
	X(452, fchmodat2, 0, A_FD, A_STR, A_MODE, A_ATFLAGS)                         \
	X(453, map_shadow_stack, 1, A_PTR, A_UINT, A_HEX)                            \
	X(454, futex_wake, 0, A_PTR, A_HEX, A_INT, A_HEX)                            \
	X(455, futex_wait, 0, A_PTR, A_HEX, A_HEX, A_HEX, A_PTR, A_CLOCKID)          \
	X(456, futex_requeue, 0, A_PTR, A_HEX, A_INT, A_INT)                         \
	X(457, statmount, 0, A_PTR, A_PTR, A_UINT, A_HEX)                            \
	X(458, listmount, 0, A_PTR, A_PTR, A_UINT, A_HEX)                            \
	X(459, lsm_get_self_attr, 0, A_UINT, A_PTR, A_PTR, A_HEX)                    \
	X(460, lsm_set_self_attr, 0, A_UINT, A_PTR, A_UINT, A_HEX)                   \
	X(461, lsm_list_modules, 0, A_PTR, A_PTR, A_HEX)                             \
	X(462, mseal, 0, A_PTR, A_UINT, A_HEX)                                       \
	X(463, setxattrat, 0, A_FD, A_STR, A_ATFLAGS, A_STR, A_PTR, A_UINT)          \
	X(464, getxattrat, 0, A_FD, A_STR, A_ATFLAGS, A_STR, A_PTR, A_UINT)          \
	X(465, listxattrat, 0, A_FD, A_STR, A_ATFLAGS, A_PTR, A_UINT)                \
	X(466, removexattrat, 0, A_FD, A_STR, A_ATFLAGS, A_STR)                      \
	X(467, open_tree_attr, 0, A_FD, A_STR, A_HEX, A_PTR, A_UINT)                 \
	X(468, file_getattr, 0, A_FD, A_STR, A_PTR, A_UINT, A_ATFLAGS)               \
	X(469, file_setattr, 0, A_FD, A_STR, A_PTR, A_UINT, A_ATFLAGS)

/* Every handler, weakly: undefined ones resolve to NULL (ENOSYS).
 * Likewise the optional note of what a partial handler leaves out, which
 * the handler's file defines next to it:
 *     const char sys_mmap_partial[] = "no MAP_HUGETLB";
 * (`moat syscalls` shows it; without one the handler counts as full). */
#define DECLARE_WEAK_HANDLER(nr, name, hex, ...)                                      \
	extern long sys_##name(struct task *, const uint64_t *) __attribute__((weak)); \
	extern const char sys_##name##_partial[] __attribute__((weak));
SYSCALL_LIST(DECLARE_WEAK_HANDLER)

/* Number of arguments in a (possibly empty) list. */
#define COUNT_ARGS(...) COUNT_ARGS_(0, ##__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define COUNT_ARGS_(_0, _1, _2, _3, _4, _5, _6, n, ...) n

#define TABLE_ENTRY(nr, nm, hex, ...)                  \
	[nr] = {                                       \
		.name = #nm,                           \
		.nargs = COUNT_ARGS(__VA_ARGS__),      \
		.args = { __VA_ARGS__ },               \
		.ret_hex = hex,                        \
		.fn = sys_##nm,                        \
		.partial = sys_##nm##_partial,         \
	},

const struct syscall_desc syscall_table[SYSCALL_MAX] = {
	SYSCALL_LIST(TABLE_ENTRY)
};

/* The host's numbers must agree with ours wherever the host knows them. */
#include <asm/unistd_64.h>
_Static_assert(__NR_read == 0 && __NR_openat == 257 && __NR_newfstatat == 262, "numbering");
_Static_assert(__NR_pidfd_send_signal == 424 && __NR_clone3 == 435, "numbering");
_Static_assert(__NR_set_mempolicy_home_node == 450, "numbering");
