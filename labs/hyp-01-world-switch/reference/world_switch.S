// The world switch (hypervisor lab 1, reference). Offsets are struct Vcpu's
// (hyp.h): x[0..30] at 0, ELR 248, SPSR 256, ESR 264, FAR 272, exit kind
// 280, host SP 288.

// void guest_enter(Vcpu* vcpu): keep the hypervisor's callee-saved
// registers (AAPCS64: x19-x30) on its stack, remember the vCPU in
// TPIDR_EL2 for the exit path, load the guest's state and ERET to it.
    .section .text
    .global guest_enter
guest_enter:
    stp     x19, x20, [sp, #-96]!
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    mov     x1, sp
    str     x1, [x0, #288]
    msr     tpidr_el2, x0
    ldr     x1, [x0, #248]
    msr     elr_el2, x1
    ldr     x1, [x0, #256]
    msr     spsr_el2, x1
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0, #0]
    eret

// guest_exit: reached from a lower-EL vector entry (vectors.S) with the
// guest's x0 and x1 on the stack and the entry's index in x1. Saves the
// guest's registers and the syndrome in the vCPU, then returns from
// guest_enter on the hypervisor's own stack.
    .global guest_exit
guest_exit:
    mrs     x0, tpidr_el2
    str     x1, [x0, #280]
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    stp     x18, x19, [x0, #144]
    stp     x20, x21, [x0, #160]
    stp     x22, x23, [x0, #176]
    stp     x24, x25, [x0, #192]
    stp     x26, x27, [x0, #208]
    stp     x28, x29, [x0, #224]
    str     x30, [x0, #240]
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x0, #0]
    mrs     x1, elr_el2
    str     x1, [x0, #248]
    mrs     x1, spsr_el2
    str     x1, [x0, #256]
    mrs     x1, esr_el2
    str     x1, [x0, #264]
    mrs     x1, far_el2
    str     x1, [x0, #272]
    ldr     x1, [x0, #288]
    mov     sp, x1
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     x19, x20, [sp], #96
    ret
