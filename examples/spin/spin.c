/*
 * The profiling example: spins forever in main -> a -> b -> c, where c is a leaf without a frame.
 * Every 2^22 rounds it prints how many it has done, so the guest's speed can be read from the console
 * (with and without a profiler attached).
 */
#include <stdio.h>

static volatile unsigned long sink;

__attribute__((noipa)) static void c(unsigned long n)
{
	for (unsigned long i = 0; i < 64; i++)
		sink += n ^ i;
}

__attribute__((noipa)) static void b(unsigned long n)
{
	c(n);
	sink++;
}

__attribute__((noipa)) static void a(unsigned long n)
{
	b(n);
	sink++;
}

int main(void)
{
	printf("spinning in main -> a -> b -> c\n");
	for (unsigned long rounds = 1;; rounds++) {
		a(rounds);
		if ((rounds & ((1UL << 16) - 1)) == 0)
			printf("rounds: %lu\n", rounds);
	}
	return 0;
}
