Console.WriteLine("MicroComms benchmarks: not written yet.");
