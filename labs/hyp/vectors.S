// The EL2 vector table (Arm ARM D1.10.2: 16 entries of 0x80 bytes, 2 KiB
// aligned). An exception from the guest (a lower EL, entries 8..15) is a
// world-switch exit: the entry keeps the guest's x0 and x1 on the stack,
// puts its index in x1 and branches to guest_exit (world_switch.S), which
// saves the rest. An exception taken at EL2 itself is a hypervisor bug:
// hyp_panic() prints the syndrome and powers off.
    .macro from_el2 kind
    .balign 0x80
    mov     x0, #\kind
    mrs     x1, esr_el2
    mrs     x2, elr_el2
    b       hyp_panic
    .endm

    .macro from_guest kind
    .balign 0x80
    stp     x0, x1, [sp, #-16]!
    mov     x1, #\kind
    b       guest_exit
    .endm

    .section .text
    .balign 2048
    .global hyp_vectors
hyp_vectors:
    from_el2 0
    from_el2 1
    from_el2 2
    from_el2 3
    from_el2 4
    from_el2 5
    from_el2 6
    from_el2 7
    from_guest 8
    from_guest 9
    from_guest 10
    from_guest 11
    from_guest 12
    from_guest 13
    from_guest 14
    from_guest 15
