// Guest entry at EL1 (plain QEMU -M virt or a nestlab VHV): x0 holds the
// device tree address. Sets a stack, clears BSS, calls guest_main(dtb) and
// powers off with its return value as the exit code (PSCI SYSTEM_OFF, x1).
    .section .text.boot, "ax"
    .global _start
_start:
    mov     x19, x0
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  mov     x0, x19
    bl      guest_main
    bl      psci_system_off
3:  wfi
    b       3b
