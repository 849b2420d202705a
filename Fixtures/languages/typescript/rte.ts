const xs: number[] | undefined = undefined as number[] | undefined;
console.log(xs!.length);
