// Entry of a secondary CPU started by smp_boot() (PSCI CPU_ON from EL2:
// QEMU starts it at EL2, MMU off, x0 = the context id = its CPU index).
// Each CPU gets a 16 KiB stack from g_cpu_stacks; no memory is read before
// the MMU is on except through link-time constants.
#define STACK_SHIFT 14
    .section .text
    .global secondary_entry
secondary_entry:
    msr     daifset, #0xf
    ldr     x1, =g_cpu_stacks
    add     x2, x0, #1
    lsl     x2, x2, #STACK_SHIFT
    add     x1, x1, x2
    mov     sp, x1
    ldr     x1, =el2_vectors
    msr     vbar_el2, x1
    isb
    bl      secondary_main
1:  wfi
    b       1b
