/** `serial.path: auto`: which of the listed ports is the Megabit, and opening a missing path. */
import { openSerialChannel, pickMegabitPort } from '../../src/serial/port-opener';

// As serialport lists them on Linux (udevadm): an FTDI adapter, the Megabit, a modem.
const PORTS = [
  { path: '/dev/ttyUSB0', manufacturer: 'FTDI', pnpId: 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0', vendorId: '0403', productId: '6001' },
  { path: '/dev/ttyACM1', manufacturer: 'Megabit', pnpId: 'usb-Megabit_Megabit_E4A1B2C3D4E5F601-if00', vendorId: '1209', productId: 'b1bb' },
  { path: '/dev/ttyACM0', manufacturer: 'Arduino LLC', pnpId: 'usb-Arduino_LLC_Arduino_Nano_33_BLE-if00' },
];

describe('serial port selection', () => {
  it('picks the port whose USB manufacturer is Megabit', () => {
    expect(pickMegabitPort(PORTS)).toBe('/dev/ttyACM1');
  });

  it('falls back to the by-id name when udev gives no manufacturer', () => {
    expect(pickMegabitPort([{ path: '/dev/ttyACM3', pnpId: 'usb-Megabit_Megabit_0011-if00' }])).toBe('/dev/ttyACM3');
  });

  it('says so when no Megabit is connected', () => {
    expect(() => pickMegabitPort([PORTS[0], PORTS[2]])).toThrow('no USB serial device named "Megabit" is connected');
    expect(() => pickMegabitPort([])).toThrow('no USB serial device named "Megabit"');
  });

  it('rejects (does not throw or hang) for a path that does not exist', async () => {
    await expect(openSerialChannel('/dev/ttyMEGABIT-nope')).rejects.toThrow(/No such file|ENOENT/);
  });
});
