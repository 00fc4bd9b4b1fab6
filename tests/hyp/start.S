// Entry of the EL2 test programs (plain `qemu-system-aarch64 -M
// virt,virtualization=on` or `nestlab run --hypervisor`): QEMU starts an ELF
// at its entry point in EL2 with x0 = 0, so the stack comes from the image.
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  bl      hyp_main
3:  wfi
    b       3b

// The EL1 stub the program drops to: x0 HVC #0x12 calls, then HVC #0x99
// ("done"). It touches no memory, so it runs with the EL1 MMU off.
    .section .text
    .global el1_stub
el1_stub:
    mov     x19, x0
    mov     x20, #0
1:  cmp     x20, x19
    b.hs    2f
    hvc     #0x12
    add     x20, x20, #1
    b       1b
2:  hvc     #0x99
3:  b       3b

// The EL2 vector table (Arm ARM D1.10.2): every entry saves x0-x30, ELR_EL2
// and SPSR_EL2 in a frame and calls hyp_exception(frame, kind), kind being
// the entry's index (8: synchronous from a lower EL in AArch64).
    .macro entry kind
    .balign 0x80
    sub     sp, sp, #272
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    mov     x1, #\kind
    b       common_entry
    .endm

    .balign 2048
    .global hyp_vectors
hyp_vectors:
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

common_entry:
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el2
    stp     x30, x2, [sp, #240]
    mrs     x2, spsr_el2
    str     x2, [sp, #256]
    mov     x0, sp
    bl      hyp_exception
    ldp     x30, x2, [sp, #240]
    msr     elr_el2, x2
    ldr     x2, [sp, #256]
    msr     spsr_el2, x2
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
    add     sp, sp, #272
    eret
