/* The bundled example: prints a greeting and the arguments it was started with. */
#include <stdio.h>

int main(int argc, char *argv[])
{
	printf("Hello from jkraft's example unikernel!\n");
	for (int i = 1; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	return 0;
}
