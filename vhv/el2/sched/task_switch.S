// task_switch(save, load) (sched/task.h): stores the callee-saved registers
// (AAPCS64 5.1.1: x19..x29, lr, sp; the lowvisor uses no FP/SIMD) into
// *save, loads them from *load and returns into the loaded context. The
// TaskRegs layout: x19..x28 at 0..79, fp at 80, lr at 88, sp at 96.
    .section .text
    .global task_switch
task_switch:
    stp     x19, x20, [x0, #0]
    stp     x21, x22, [x0, #16]
    stp     x23, x24, [x0, #32]
    stp     x25, x26, [x0, #48]
    stp     x27, x28, [x0, #64]
    stp     x29, x30, [x0, #80]
    mov     x9, sp
    str     x9, [x0, #96]
    ldp     x19, x20, [x1, #0]
    ldp     x21, x22, [x1, #16]
    ldp     x23, x24, [x1, #32]
    ldp     x25, x26, [x1, #48]
    ldp     x27, x28, [x1, #64]
    ldp     x29, x30, [x1, #80]
    ldr     x9, [x1, #96]
    mov     sp, x9
    ret

// First entry of a task: task_init leaves the Task* in x19.
    .global task_trampoline
task_trampoline:
    mov     x0, x19
    bl      task_main
1:  b       1b
