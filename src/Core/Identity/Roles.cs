namespace TeacherPlatform.Core.Identity;

public static class Roles
{
    public const string Teacher = "teacher";
    public const string Student = "student";
    public const string Admin = "admin";
    public static readonly string[] SelfRegistrable = [Teacher, Student];
}
