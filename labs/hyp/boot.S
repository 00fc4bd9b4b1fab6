// Entry at EL2 (docs/hypervisor.md: QEMU starts an ELF at its entry point at
// EL2, MMU off, x0 = 0): a stack and a cleared BSS from the image, the
// vector table in VBAR_EL2, then hyp_main().
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
2:  ldr     x1, =hyp_vectors
    msr     vbar_el2, x1
    isb
    bl      hyp_main
3:  wfi
    b       3b
