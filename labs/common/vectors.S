// Lab runtime: an EL1 exception vector table (Arm ARM D1.10.2). 16 entries of
// 0x80 bytes: {current EL with SP_EL0, current EL with SP_ELx, lower EL
// AArch64, lower EL AArch32} x {synchronous, IRQ, FIQ, SError}. Each entry
// saves x0-x30, ELR_EL1, SPSR_EL1, ESR_EL1 and FAR_EL1 in a lab::Frame on the
// stack and calls lab_exception(frame, kind), kind = the entry's index 0..15
// (4 = synchronous, 5 = IRQ from EL1 using SP_EL1: the ones you will see).
// Whatever the handler leaves in the frame is restored, ELR_EL1 included,
// and ERET returns there.
    .equ    FRAME_SIZE, 288

    .macro  entry kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    mov     x1, #\kind
    b       lab_vector_common
    .endm

    .section .text
    .balign 2048                    // VBAR_EL1 needs 2 KiB alignment
    .global lab_vectors
lab_vectors:
    entry 0
    entry 1
    entry 2
    entry 3
    entry 4
    entry 5
    entry 6
    entry 7
    entry 8
    entry 9
    entry 10
    entry 11
    entry 12
    entry 13
    entry 14
    entry 15

lab_vector_common:
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    stp     x30, x2, [sp, #240]     // x30, elr
    mrs     x2, spsr_el1
    mrs     x3, esr_el1
    stp     x2, x3, [sp, #256]      // spsr, esr
    mrs     x2, far_el1
    str     x2, [sp, #272]          // far
    mov     x0, sp
    bl      lab_exception           // void lab_exception(lab::Frame*, unsigned kind)
    ldp     x30, x2, [sp, #240]
    msr     elr_el1, x2
    ldr     x2, [sp, #256]
    msr     spsr_el1, x2
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    add     sp, sp, #FRAME_SIZE
    eret
