// Runs a command and prints, as the last line of stderr, its CPU time and peak RSS:
// "lock2nix-rusage: <user s> <sys s> <maxrss KiB> <exit code>".
// The benchmark scripts measure through this small process rather than from Python because Linux
// keeps a process's peak RSS across exec, and a child forked from a large Python interpreter
// would start with the interpreter's peak (tens of MiB) as its own.

#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        std::perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        std::perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) < 0) {
        std::perror("wait4");
        return 2;
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::fprintf(stderr, "\nlock2nix-rusage: %ld.%06ld %ld.%06ld %ld %d\n",
                 static_cast<long>(usage.ru_utime.tv_sec),
                 static_cast<long>(usage.ru_utime.tv_usec),
                 static_cast<long>(usage.ru_stime.tv_sec),
                 static_cast<long>(usage.ru_stime.tv_usec), usage.ru_maxrss, code);
    return 0;
}
