/*
 * printk.c: the console on COM1, a small vsnprintf, pr_info, panic, and the
 * way out of QEMU through the isa-debug-exit device.
 *
 * The console is polled (no interrupts: the kernel keeps every interrupt
 * source masked so runs are deterministic under TCG).
 */
#include "kernel.h"
#include "processor.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register */
#define UART_IER	1	/* interrupt enable */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */

void serial_init(void)
{
	outb(0x00, COM1 + UART_IER);	/* no UART interrupts */
	outb(0x80, COM1 + UART_LCR);	/* DLAB on: next two bytes are the divisor */
	outb(0x01, COM1 + 0);		/* 115200 baud */
	outb(0x00, COM1 + 1);
	outb(0x03, COM1 + UART_LCR);	/* 8 bits, no parity, one stop bit */
	outb(0xc7, COM1 + UART_FCR);	/* FIFO on and cleared */
	outb(0x03, COM1 + UART_MCR);	/* DTR, RTS; OUT2 off: no IRQ line */
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb((uint8_t)c, COM1 + UART_THR);
}

/* A terminal in raw mode (QEMU's -serial stdio) needs "\r\n" to start a new line. */
void serial_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			serial_putc('\r');
		serial_putc(buf[i]);
	}
}

struct outbuf {
	char *buf;
	size_t size;
	size_t len;	/* characters produced, even past size */
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_unsigned(struct outbuf *o, unsigned long v, unsigned base, int width, char pad)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		out_char(o, pad);
	while (n)
		out_char(o, digits[--n]);
}

/*
 * A subset of printf: %s %c %d %u %x %p and %%, the length modifier l, a
 * field width and the 0 flag. Enough for the kernel's messages.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, is_long = 0;

		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			while (*s)
				out_char(&o, *s++);
			break;
		}
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			long v = is_long ? va_arg(ap, long) : va_arg(ap, int);

			if (v < 0) {
				out_char(&o, '-');
				out_unsigned(&o, -(unsigned long)v, 10, width - 1, pad);
			} else {
				out_unsigned(&o, (unsigned long)v, 10, width, pad);
			}
			break;
		}
		case 'u':
			out_unsigned(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad);
			break;
		case 'x':
			out_unsigned(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_unsigned(&o, (unsigned long)va_arg(ap, void *), 16, 16, '0');
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--;	/* a lone '%' at the end: stop at the terminator */
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

void pr_info(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	serial_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void qemu_exit(uint32_t code)
{
	/*
	 * isa-debug-exit makes QEMU exit with status (code << 1) | 1. Without the
	 * device (a plain `qemu-system-x86_64 -kernel`) the write does nothing,
	 * so stop here rather than run on.
	 */
	outl(code, QEMU_EXIT_PORT);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	__asm__ volatile("cli");
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_info("Kernel panic: %s\n", buf);
	qemu_exit(QEMU_EXIT_PANIC);
}
