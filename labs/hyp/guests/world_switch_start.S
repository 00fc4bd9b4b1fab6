// Entry of the world-switch grading guest, at EL1 with the MMU off: a stack
// and a cleared BSS from the image, then guest_main().
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
2:  bl      guest_main
3:  b       3b
