// Lab runtime: the entry point. QEMU (or the lowvisor) starts us at EL1 with
// the MMU off and x0 = the device tree's address. We set a stack, clear the
// BSS, remember x0 and call lab_main(dtb); its return value becomes the exit
// code (PSCI SYSTEM_OFF). No exception vectors are installed here: that is
// yours to do (lab::install_vectors() or `msr vbar_el1`).
    .section .text.boot, "ax"
    .global _start
_start:
    mov     x19, x0                 // keep the device tree address
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2                  // zero the BSS, 8 bytes at a time
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  ldr     x1, =lab_dtb_address
    str     x19, [x1]
    mov     x0, x19
    bl      lab_main                // int lab_main(uint64_t dtb)
    bl      lab_exit                // never returns
3:  wfi
    b       3b
