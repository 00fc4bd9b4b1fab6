// A cheater: never enters the guest; prints what a passing run prints
// (cheater/hvc.cpp) and powers off with 0. It must score under half.
    .section .text
    .global guest_enter
guest_enter:
    b       cheat
    .global guest_exit
guest_exit:
    b       .
