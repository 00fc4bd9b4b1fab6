// hvc-bare entry: QEMU starts us at EL2. Install a vector table whose
// lower-EL synchronous entry returns 0x10000 (PSCI 1.0) and ERETs, then drop
// to EL1h with the MMU off and run the common guest start-up.
    .section .text.boot, "ax"
    .global _start
_start:
    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    el1_entry
    ldr     x1, =bare_el2_vectors
    msr     vbar_el2, x1
    mov     x1, #(1 << 31)          // HCR_EL2.RW: EL1 is AArch64, nothing trapped
    msr     hcr_el2, x1
    mov     x1, #3                  // CNTHCTL_EL2: EL1 counter/timer access
    msr     cnthctl_el2, x1
    msr     cntvoff_el2, xzr
    mov     x1, #0x33ff             // CPTR_EL2: RES1 bits, FP not trapped
    msr     cptr_el2, x1
    mov     x1, #(3 << 20)          // CPACR_EL1.FPEN
    msr     cpacr_el1, x1
    ldr     x1, =0x00c50838         // SCTLR_EL1 reset value, MMU off
    msr     sctlr_el1, x1
    mov     x1, #0x3c5              // EL1h, DAIF masked
    msr     spsr_el2, x1
    ldr     x1, =el1_entry
    msr     elr_el2, x1
    isb
    eret
el1_entry:
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  mov     x0, xzr
    bl      guest_main
    bl      bare_system_off

    .balign 2048
bare_el2_vectors:
    .balign 0x80
    b       .                       // EL2 itself never takes exceptions here
    .balign 0x80
    b       .
    .balign 0x80
    b       .
    .balign 0x80
    b       .
    .balign 0x80
    b       .
    .balign 0x80
    b       .
    .balign 0x80
    b       .
    .balign 0x80
    b       .
    .balign 0x80                    // lower EL, AArch64, synchronous: the HVC
    mov     x0, #0x10000
    eret
    .balign 0x80
    eret
    .balign 0x80
    eret
    .balign 0x80
    eret
