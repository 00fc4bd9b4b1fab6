// Lowvisor entry. QEMU (-kernel lowvisor.elf, virtualization=on) starts the
// boot CPU here at EL2 with the MMU off; secondary CPUs start powered off
// (PSCI conduit SMC) but park here too if they ever arrive.
    .section .text.boot, "ax"
    .global _start
_start:
    msr     daifset, #0xf
    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    park                    // not at EL2: nothing sensible to do
    mrs     x1, mpidr_el1
    and     x1, x1, #0xff
    cbnz    x1, park
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:  ldr     x1, =el2_vectors
    msr     vbar_el2, x1
    isb
    bl      lowvisor_main
park:
    wfi
    b       park
