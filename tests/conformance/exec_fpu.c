/* exec_fpu: a new program starts with the FPU in its reset state, whatever
 * the old one left: the rounding mode, flush-to-zero and the x87 precision
 * control are back to their defaults after execve. */
#include "tap.h"
#include <xmmintrin.h>

#define MXCSR_FTZ 0x8000
#define MXCSR_RC_MASK 0x6000    /* SSE rounding control: 0 nearest, 0x6000 toward zero */
#define FCW_PC_MASK 0x300       /* x87 precision control: 0x300 is extended */

static unsigned short x87_control(void)
{
	unsigned short cw;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

static void set_x87_control(unsigned short cw)
{
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		tap_count = 3;   /* continue the parent's numbering */
		CHECK_EQ(_mm_getcsr() & MXCSR_RC_MASK, 0, "the new program rounds to nearest");
		CHECK_EQ(_mm_getcsr() & MXCSR_FTZ, 0, "flush-to-zero is off");
		CHECK_EQ(x87_control() & FCW_PC_MASK, FCW_PC_MASK, "x87 precision is extended again");
		return tap_done();
	}
	_mm_setcsr(_mm_getcsr() | MXCSR_RC_MASK | MXCSR_FTZ);
	CHECK_EQ(_mm_getcsr() & MXCSR_RC_MASK, MXCSR_RC_MASK, "set rounding toward zero");
	CHECK(_mm_getcsr() & MXCSR_FTZ, "set flush-to-zero");
	set_x87_control((unsigned short)(x87_control() & ~FCW_PC_MASK));
	CHECK_EQ(x87_control() & FCW_PC_MASK, 0, "set x87 single precision");
	char *args[] = { argv[0], "child", NULL };
	execv(argv[0], args);
	CHECK(0, "execv %s", argv[0]);
	return tap_done();
}
