// EL2 exception vectors (Arm ARM D1.10.2: 16 entries of 0x80 bytes, table
// aligned to 2 KiB) and the world switch.
//
// enter_guest(ctx) saves the lowvisor's callee-saved registers on its own
// stack, loads the guest's registers from *ctx and ERETs. A lower-EL
// exception lands on the same SP_EL2 value, so the exit path stores the
// guest's registers back into *ctx (found through this CPU's PRDA at
// TPIDR_EL2, sched/prda.h), pops the lowvisor's registers and returns from
// enter_guest with the ExitKind.

#define CTX_ELR 248
#define PRDA_CTX 0

.macro guest_exit kind
    stp     x0, x1, [sp, #-16]!
    mrs     x0, tpidr_el2           // this CPU's PRDA (sched/prda.h)
    ldr     x0, [x0, #PRDA_CTX]     // the context being run here
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
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x0, #0]
    mrs     x1, elr_el2
    mrs     x2, spsr_el2
    stp     x30, x1, [x0, #240]
    str     x2, [x0, #256]
    mov     x0, #\kind
    b       guest_exit_common
.endm

.macro self_exception kind
    mov     x0, #\kind
    b       el2_self_exception
.endm

    .section .text
    .balign 2048
    .global el2_vectors
el2_vectors:
    // Current EL with SP_EL0: never used by the lowvisor.
    .balign 0x80
    self_exception 0
    .balign 0x80
    self_exception 1
    .balign 0x80
    self_exception 2
    .balign 0x80
    self_exception 3
    // Current EL with SP_ELx: a lowvisor bug (IRQs stay masked at EL2).
    .balign 0x80
    self_exception 4
    .balign 0x80
    self_exception 5
    .balign 0x80
    self_exception 6
    .balign 0x80
    self_exception 7
    // Lower EL, AArch64: the guest.
    .balign 0x80
    guest_exit 0
    .balign 0x80
    guest_exit 1
    .balign 0x80
    guest_exit 2
    .balign 0x80
    guest_exit 3
    // Lower EL, AArch32: guests are AArch64 only (HCR_EL2.RW = 1).
    .balign 0x80
    guest_exit 4
    .balign 0x80
    guest_exit 4
    .balign 0x80
    guest_exit 4
    .balign 0x80
    guest_exit 4

    .global enter_guest
enter_guest:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x1, tpidr_el2
    str     x0, [x1, #PRDA_CTX]
    ldp     x1, x2, [x0, #CTX_ELR]
    msr     elr_el2, x1
    msr     spsr_el2, x2
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
    dsb     nsh
    isb

guest_exit_common:
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
