/* day7/my_process.c — 自定义进程类 / A custom process class:
 * override run()
 *
 * The course's myProcess.py in C. In Python you subclass Process, add your
 * own attributes in __init__ (calling super().__init__()), override run(),
 * and start() runs run() in a new process. C has no classes, but the same
 * shape is common in C code (the Linux kernel, GObject, CPython itself):
 *   - the "base class" is a struct with a function pointer for run();
 *   - start() forks and calls p->run(p) in the child; join() waits;
 *   - the "subclass" is a struct whose FIRST member is the base struct,
 *     plus its own fields. A pointer to it is also a pointer to its base,
 *     so start() and join() work on it unchanged, and its run() turns the
 *     base pointer back into the whole struct.
 * The base's own run() calls a target function: Process(target=f) is the
 * base class used as is.
 *
 * Run: ./build/day7/my_process [-i MS] (-h: the options)
 * Watch: "第一步" and "第二步" come from the child's pid, with the
 * child's own field (value=2) set by the parent before start; the parent
 * joins and sees "exited with status 0".
 * See also: day6/process1 (Process with a target), day8/my_thread.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/parent.h"
#include "common/status.h"
#include "common/walltime.h"

static long pause_ms = 200; /* -i; the course: time.sleep(2) */

/* --- the base class: Process -------------------------------------------- */

struct process {
    const char *name;
    pid_t pid;
    void (*run)(struct process *self); /* the method a subclass overrides */
    void (*target)(const char *name);  /* what the base's own run() calls */
};

/* Process.run(): call the target, if any. */
static void process_run(struct process *self)
{
    if (self->target != NULL)
        self->target(self->name);
}

/* Process.__init__(name, target). */
static void process_init(struct process *p, const char *name,
                         void (*target)(const char *))
{
    p->name = name;
    p->pid = 0;
    p->run = process_run;
    p->target = target;
}

/* start(): fork; the child runs p->run(p) — whichever run() it has —
 * and exits. */
static void process_start(struct process *p)
{
    p->pid = fork_child(); /* fork(), and the child dies with its parent */
    if (p->pid == 0) {
        p->run(p);
        fflush(stdout);
        _exit(0); /* not exit(): the parent's atexit handlers are not ours */
    }
}

/* join(): wait for the child; returns its wait status. */
static int process_join(struct process *p)
{
    int status;
    while (waitpid(p->pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    return status;
}

/* --- the subclass: MyProcess(Process) ---------------------------------- */

struct my_process {
    struct process base; /* first: (struct process *) points at the whole */
    int value;           /* its own attribute, set in "__init__" */
};

static void f1(const struct my_process *me)
{
    char now[32];
    walltime_text(now, sizeof now);
    printf("%s %d: 第一步 step 1: %s (value=%d)\n", me->base.name,
           (int)getpid(), now, me->value);
    clock_sleep_ms(pause_ms);
}

static void f2(const struct my_process *me)
{
    char now[32];
    walltime_text(now, sizeof now);
    printf("%s %d: 第二步 step 2: %s (value=%d)\n", me->base.name,
           (int)getpid(), now, me->value);
}

/* MyProcess.run(), the override: the two steps, in the child. */
static void my_process_run(struct process *self)
{
    /* Safe: base is the first member, at the same address as the whole. */
    struct my_process *me = (struct my_process *)self;
    f1(me);
    f2(me);
}

/* MyProcess.__init__(value): super().__init__(), then its own field. */
static void my_process_init(struct my_process *m, int value)
{
    process_init(&m->base, "MyProcess", NULL);
    m->base.run = my_process_run; /* the override */
    m->value = value;
}

/* A target for the base class used as is. */
static void hello(const char *name)
{
    printf("%s %d: hello from the base class's run(), which called its "
           "target\n",
           name, (int)getpid());
}

/* The course's main: the base class with a target, then the subclass. */
static void run_course(void)
{
    char how[64];
    struct process plain;
    process_init(&plain, "Process", hello);
    printf("main %d: p1 = Process(target=hello); p1.start()\n", (int)getpid());
    process_start(&plain);
    int status = process_join(&plain);
    printf("main %d: p1.join(): %s %d %s\n", (int)getpid(), plain.name,
           (int)plain.pid, status_describe(status, how, sizeof how));

    struct my_process p;
    my_process_init(&p, 2);
    printf("main %d: p2 = MyProcess(value=2); p2.start()\n", (int)getpid());
    process_start(&p.base); /* the base class's start(), the subclass's run() */
    status = process_join(&p.base);
    printf("main %d: p2.join(): %s %d %s\n", (int)getpid(), p.base.name,
           (int)p.base.pid, status_describe(status, how, sizeof how));
}

static const char usage[] =
    "usage: my_process [-i MS] [-h]\n"
    "  -i MS  pause between the two steps, 0..5000 ms (default 200)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "i:h")) != -1) {
        switch (opt) {
        case 'i':
            if (parse_long(optarg, 0, 5000, &pause_ms) < 0)
                die_usage(usage, "bad MS '%s': expected 0..5000", optarg);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    run_course();
    return 0;
}
