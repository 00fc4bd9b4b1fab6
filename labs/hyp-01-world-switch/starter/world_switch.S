// The world switch (hypervisor lab 1): YOUR CODE. Offsets are struct Vcpu's
// (hyp/hyp.h): x[0..30] at 0, ELR 248, SPSR 256, ESR 264, FAR 272, exit
// kind 280, host SP 288.

// void guest_enter(Vcpu* vcpu): run the guest until it traps to EL2, then
// return (from guest_exit below) with its state saved in *vcpu.
//
// TODO: keep the hypervisor's callee-saved registers (x19-x30) on its
// stack and its SP in vcpu->host_sp; remember the vCPU (TPIDR_EL2 is free);
// load ELR_EL2, SPSR_EL2 and ALL the guest's x0-x30 from the vCPU. Today it
// loads only x0 and the return state, so the guest starts but never comes
// back.
    .section .text
    .global guest_enter
guest_enter:
    ldr     x1, [x0, #248]
    msr     elr_el2, x1
    ldr     x1, [x0, #256]
    msr     spsr_el2, x1
    ldr     x0, [x0, #0]
    eret

// guest_exit: reached from a lower-EL vector entry (hyp/vectors.S) with the
// guest's x0 and x1 pushed on the stack (x0 at [sp], x1 at [sp, #8]) and the
// entry's index in x1.
//
// TODO: save the guest's x0-x30, ELR_EL2, SPSR_EL2, ESR_EL2, FAR_EL2 and the
// entry's index in the vCPU, pop what the vector pushed, restore the
// hypervisor's registers and SP, and `ret` as if guest_enter returned.
    .global guest_exit
guest_exit:
    mov     x0, #8
    mrs     x1, esr_el2
    mrs     x2, elr_el2
    b       hyp_panic
