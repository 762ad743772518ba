using System.Runtime.InteropServices;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>
/// Hands freed native memory back to the OS. Making the int8 copy runs a calibration session and several model-sized
/// buffers through ONNX Runtime's native allocations; glibc keeps what they freed in its heap (measured: several hundred
/// MB of resident memory for the life of the process), so it is trimmed once afterwards. A no-op off glibc.
/// </summary>
internal static class NativeHeap
{
    public static void Trim()
    {
        // The model-sized managed buffers of the quantisation are garbage by now: collect them before trimming.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux()) return;
        try { _ = MallocTrim(0); }
        catch (DllNotFoundException) { } // not glibc (e.g. musl): nothing to trim through this call
        catch (EntryPointNotFoundException) { }
    }

    // DllImport rather than LibraryImport: a blittable signature needs no generated marshalling (nor unsafe code).
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
