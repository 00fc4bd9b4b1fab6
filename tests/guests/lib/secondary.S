// Secondary CPU entry for PSCI CPU_ON (x0 = context id = CPU index): a
// 16 KiB stack each, the boot CPU's vectors, then guest_secondary_main.
    .section .text
    .global guest_secondary_entry
guest_secondary_entry:
    ldr     x1, =guest_cpu_stacks
    add     x2, x0, #1
    lsl     x2, x2, #14
    add     x1, x1, x2
    mov     sp, x1
    ldr     x1, =guest_secondary_vbar
    ldr     x1, [x1]
    msr     vbar_el1, x1
    isb
    mov     x19, x0
    bl      guest_secondary_main
    ldr     x0, =0x84000002         // PSCI CPU_OFF
    hvc     #0
1:  wfi
    b       1b

// Entry for a CPU released from an S18 mailbox / spin-table (x0 = its
// mailbox, whose first word is the CPU's id): continue as above.
    .global guest_mailbox_entry
guest_mailbox_entry:
    ldr     w0, [x0]
    b       guest_secondary_entry
