// Interrupt-driven waiting for keys (bootarg `irq`): the PL011's receive
// interrupts (UARTIMSC RX and RX-timeout) go through the GICv3 as SPI 1
// (INTID 33), and the monitor sleeps in WFI until a key makes the line
// high. IRQs stay masked in PSTATE: a pending interrupt still ends WFI
// (Arm ARM D1.6.2 "Wait For Interrupt"), so no handler is needed and
// nothing is acknowledged; the line drops when the byte is read. Under a
// VHV this exercises the whole path: host key -> ConsoleIn -> PL011 model
// -> virtual GIC -> WFI wake-up.
#pragma once

namespace monitor {

// ID_AA64PFR0_EL1.GIC (Arm ARM D17.2.64): the GICv3 system register
// interface exists. QEMU virt sets it only with gic-version=3 (a VHV's
// guest platform always has it).
bool gicv3_present();
void enable_uart_irq();
void wait_for_key();  // returns when the UART may hold a byte

}  // namespace monitor
