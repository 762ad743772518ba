Console.WriteLine("evals: commands arrive with the evals issue");
